//! The local conference: connected calls mixed together, which calls are in it, and
//! silencing one participant for everyone.

use tracing::warn;
use wink_ports::SessionId;

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::CallState;

impl Phone {
    /// Joins connected calls in a local conference; held ones are resumed first. Calls
    /// left out leave it (and are heard again if they were silenced).
    pub(super) async fn conference(
        &mut self,
        sessions: Vec<SessionId>,
    ) -> Result<CommandOutcome, PhoneError> {
        for id in &sessions {
            let session = self.session_mut(id)?;
            if !session.is_connected() {
                return Err(crate::SessionError::InvalidTransition {
                    state: session.state(),
                    action: "join a conference with",
                }
                .into());
            }
        }
        for id in &sessions {
            if self.session_mut(id)?.state() == CallState::OnHold {
                self.hold(id, false).await?;
            }
        }
        self.ports.media.conference(sessions.clone()).await?;
        let leaving: Vec<SessionId> = self
            .calls
            .values()
            .map(|call| &call.session)
            .filter(|s| s.in_conference && !sessions.contains(&s.id))
            .map(|s| s.id.clone())
            .collect();
        for id in &leaving {
            self.unsilence(id).await;
        }
        for call in self.calls.values_mut() {
            call.session.in_conference = sessions.contains(&call.session.id);
        }
        self.emit(PhoneEvent::Conference { members: sessions });
        Ok(CommandOutcome::Done)
    }

    /// Silences the other side of a call in the conference, or lets them be heard.
    pub(super) async fn silence_participant(
        &mut self,
        id: &SessionId,
        silenced: bool,
    ) -> Result<CommandOutcome, PhoneError> {
        if !self.session_mut(id)?.in_conference {
            return Err(PhoneError::NotInConference(id.clone()));
        }
        self.ports.media.silence(id, silenced).await?;
        self.session_mut(id)?.silenced = silenced;
        self.emit(PhoneEvent::ParticipantSilenced {
            session: id.clone(),
            silenced,
        });
        Ok(CommandOutcome::Done)
    }

    /// A member's call ended: the others stay together while two are left; one left alone
    /// is an ordinary call again (heard, if it was silenced).
    pub(super) async fn leave_conference(&mut self) {
        // In the order the calls started (the calls are kept unordered).
        let mut staying: Vec<(wink_ports::UnixMillis, SessionId)> = self
            .calls
            .values()
            .map(|call| &call.session)
            .filter(|s| s.in_conference)
            .map(|s| (s.started_at, s.id.clone()))
            .collect();
        staying.sort();
        let members: Vec<SessionId> = staying.into_iter().map(|(_, id)| id).collect();
        if members.len() >= 2 {
            self.emit(PhoneEvent::Conference { members });
            return;
        }
        if let Err(error) = self.ports.media.conference(Vec::new()).await {
            warn!(%error, "the conference could not be ended");
        }
        for id in &members {
            self.unsilence(id).await;
            if let Ok(session) = self.session_mut(id) {
                session.in_conference = false;
            }
        }
        self.emit(PhoneEvent::Conference {
            members: Vec::new(),
        });
    }

    /// Lets a silenced call be heard again (it is leaving the conference).
    async fn unsilence(&mut self, id: &SessionId) {
        let silenced = self.session(id).is_some_and(|s| s.silenced);
        if !silenced {
            return;
        }
        if let Err(error) = self.ports.media.silence(id, false).await {
            warn!(session = %id, %error, "a silenced call could not be heard again");
        }
        if let Ok(session) = self.session_mut(id) {
            session.silenced = false;
        }
        self.emit(PhoneEvent::ParticipantSilenced {
            session: id.clone(),
            silenced: false,
        });
    }
}

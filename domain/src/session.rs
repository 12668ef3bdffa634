//! A call as a state machine: outgoing (calling → ringing → early media → established) and
//! incoming (alerting → accepted → established, or rejected with 603 / busy with 486, or
//! cancelled by the caller — "answered elsewhere" when the CANCEL carries a `Reason`).

use std::fmt;
use std::path::PathBuf;

use wink_ports::{
    AccountId, CallDirection, CallResult, MediaKind, Reason, SessionId, SipUri, UnixMillis,
};

use crate::DtmfStep;

/// Where a call stands, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Outgoing: INVITE sent, nothing back yet.
    Calling,
    /// Outgoing: the remote party is ringing (180).
    Ringing,
    /// Outgoing: early media is playing (183 with SDP).
    EarlyMedia,
    /// Incoming: ringing here, waiting for the user.
    Alerting,
    /// Incoming: answered (200 OK sent), waiting for the ACK.
    Accepted,
    /// Connected, media flowing.
    Established,
    /// Connected, and we put it on hold.
    OnHold,
    /// Over.
    Terminated(CallResult),
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CallState::Calling => "calling",
            CallState::Ringing => "ringing",
            CallState::EarlyMedia => "early media",
            CallState::Alerting => "alerting",
            CallState::Accepted => "accepted",
            CallState::Established => "established",
            CallState::OnHold => "on hold",
            CallState::Terminated(_) => "terminated",
        };
        f.write_str(text)
    }
}

/// A command or event that does not fit the call's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// E.g. answering an outgoing call, or holding one that is not connected.
    #[error("cannot {action} a call that is {state}")]
    InvalidTransition {
        /// The state it was in.
        state: CallState,
        /// What was attempted.
        action: &'static str,
    },
}

/// One call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its handle.
    pub id: SessionId,
    /// The account it uses.
    pub account: AccountId,
    /// Who started it.
    pub direction: CallDirection,
    /// The other party.
    pub remote: SipUri,
    /// Their display name.
    pub remote_display: Option<String>,
    /// The media it carries.
    pub media: Vec<MediaKind>,
    /// When it started.
    pub started_at: UnixMillis,
    /// When it was answered.
    pub answered_at: Option<UnixMillis>,
    /// A recording, if one is made.
    pub recording: Option<PathBuf>,
    /// DTMF to play once connected (outgoing calls to numbers with a `#` tail).
    pub dtmf_tail: Vec<DtmfStep>,
    /// The incoming-call web page, to open once this call is answered.
    pub web_page_on_answer: Option<String>,
    /// It is one of the calls of the local conference.
    pub in_conference: bool,
    /// Its other side is silenced (nobody hears them).
    pub silenced: bool,
    state: CallState,
    muted: bool,
}

impl Session {
    /// A new outgoing call, in [`CallState::Calling`].
    pub fn outgoing(id: SessionId, account: AccountId, remote: SipUri, now: UnixMillis) -> Self {
        Self::new(
            id,
            account,
            CallDirection::Outgoing,
            remote,
            None,
            now,
            CallState::Calling,
        )
    }

    /// A new incoming call, in [`CallState::Alerting`].
    pub fn incoming(
        id: SessionId,
        account: AccountId,
        remote: SipUri,
        remote_display: Option<String>,
        now: UnixMillis,
    ) -> Self {
        Self::new(
            id,
            account,
            CallDirection::Incoming,
            remote,
            remote_display,
            now,
            CallState::Alerting,
        )
    }

    fn new(
        id: SessionId,
        account: AccountId,
        direction: CallDirection,
        remote: SipUri,
        remote_display: Option<String>,
        now: UnixMillis,
        state: CallState,
    ) -> Self {
        Self {
            id,
            account,
            direction,
            remote,
            remote_display,
            media: vec![MediaKind::Audio],
            started_at: now,
            answered_at: None,
            recording: None,
            dtmf_tail: Vec::new(),
            web_page_on_answer: None,
            in_conference: false,
            silenced: false,
            state,
            muted: false,
        }
    }

    /// The current state.
    pub fn state(&self) -> CallState {
        self.state
    }

    /// Whether our microphone is muted.
    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// Whether the call is over.
    pub fn is_terminated(&self) -> bool {
        matches!(self.state, CallState::Terminated(_))
    }

    /// Whether media is connected (established, possibly on hold).
    pub fn is_connected(&self) -> bool {
        matches!(self.state, CallState::Established | CallState::OnHold)
    }

    fn invalid(&self, action: &'static str) -> SessionError {
        SessionError::InvalidTransition {
            state: self.state,
            action,
        }
    }

    fn is_outgoing_setup(&self) -> bool {
        self.direction == CallDirection::Outgoing
            && matches!(
                self.state,
                CallState::Calling | CallState::Ringing | CallState::EarlyMedia
            )
    }

    /// A provisional response: 180 → ringing, any with SDP → early media.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless an outgoing call is being set up.
    pub fn on_progress(&mut self, has_early_media: bool) -> Result<(), SessionError> {
        if !self.is_outgoing_setup() {
            return Err(self.invalid("report progress on"));
        }
        if has_early_media {
            self.state = CallState::EarlyMedia;
        } else if self.state == CallState::Calling {
            self.state = CallState::Ringing;
        }
        Ok(())
    }

    /// The remote party answered our call.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless an outgoing call is being set up.
    pub fn on_answered(&mut self, now: UnixMillis) -> Result<(), SessionError> {
        if !self.is_outgoing_setup() {
            return Err(self.invalid("answer"));
        }
        self.answered_at = Some(now);
        self.state = CallState::Established;
        Ok(())
    }

    /// Our call got a final error: 486 → busy, 603 → rejected, 487 → cancelled, else failed.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless an outgoing call is being set up.
    pub fn on_failed(&mut self, code: u16) -> Result<CallResult, SessionError> {
        if !self.is_outgoing_setup() {
            return Err(self.invalid("fail"));
        }
        let result = match code {
            486 | 600 => CallResult::Busy,
            603 => CallResult::Rejected,
            487 => CallResult::Cancelled,
            _ => CallResult::Failed,
        };
        Ok(self.terminate(result))
    }

    /// We gave up on our call before it was answered (CANCEL).
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless an outgoing call is being set up.
    pub fn cancel(&mut self) -> Result<CallResult, SessionError> {
        if !self.is_outgoing_setup() {
            return Err(self.invalid("cancel"));
        }
        Ok(self.terminate(CallResult::Cancelled))
    }

    /// We answer an incoming call (200 OK sent).
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call is alerting.
    pub fn accept(&mut self, now: UnixMillis) -> Result<(), SessionError> {
        if self.state != CallState::Alerting {
            return Err(self.invalid("answer"));
        }
        self.answered_at = Some(now);
        self.state = CallState::Accepted;
        Ok(())
    }

    /// The ACK for our 200 OK arrived.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call was accepted.
    pub fn on_confirmed(&mut self) -> Result<(), SessionError> {
        if self.state != CallState::Accepted {
            return Err(self.invalid("confirm"));
        }
        self.state = CallState::Established;
        Ok(())
    }

    /// We decline with 603: every device of the account stops ringing.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call is alerting.
    pub fn reject(&mut self) -> Result<CallResult, SessionError> {
        self.refuse(CallResult::Rejected, "reject")
    }

    /// We answer 486 Busy Here: our other devices may keep ringing.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call is alerting.
    pub fn busy(&mut self) -> Result<CallResult, SessionError> {
        self.refuse(CallResult::Busy, "send busy for")
    }

    fn refuse(
        &mut self,
        result: CallResult,
        action: &'static str,
    ) -> Result<CallResult, SessionError> {
        if self.state != CallState::Alerting {
            return Err(self.invalid(action));
        }
        Ok(self.terminate(result))
    }

    /// The caller cancelled: answered elsewhere if the CANCEL has a `Reason`, else missed.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call is alerting.
    pub fn on_cancelled(&mut self, reason: Option<&Reason>) -> Result<CallResult, SessionError> {
        if self.state != CallState::Alerting {
            return Err(self.invalid("cancel"));
        }
        let result = match reason {
            Some(_) => CallResult::AnsweredElsewhere,
            None => CallResult::Missed,
        };
        Ok(self.terminate(result))
    }

    /// Either side ended a connected call (BYE).
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless the call is accepted or connected.
    pub fn hang_up(&mut self) -> Result<CallResult, SessionError> {
        match self.state {
            CallState::Accepted | CallState::Established | CallState::OnHold => {
                Ok(self.terminate(CallResult::Answered))
            }
            // A BYE can end early media dialogs too: the call was never answered.
            CallState::EarlyMedia | CallState::Ringing | CallState::Calling => {
                Ok(self.terminate(CallResult::Failed))
            }
            _ => Err(self.invalid("hang up")),
        }
    }

    /// Ends the call on a local failure (e.g. no common codec).
    pub fn fail(&mut self) -> CallResult {
        self.terminate(CallResult::Failed)
    }

    /// Puts a connected call on hold or takes it off.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] unless connected.
    pub fn set_hold(&mut self, on_hold: bool) -> Result<(), SessionError> {
        if !self.is_connected() {
            return Err(self.invalid(if on_hold { "hold" } else { "resume" }));
        }
        self.state = if on_hold {
            CallState::OnHold
        } else {
            CallState::Established
        };
        Ok(())
    }

    /// Mutes or unmutes our microphone.
    ///
    /// # Errors
    /// [`SessionError::InvalidTransition`] once terminated.
    pub fn set_muted(&mut self, muted: bool) -> Result<(), SessionError> {
        if self.is_terminated() {
            return Err(self.invalid("mute"));
        }
        self.muted = muted;
        Ok(())
    }

    fn terminate(&mut self, result: CallResult) -> CallResult {
        self.state = CallState::Terminated(result);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing() -> Session {
        Session::outgoing(
            SessionId::new("s1").unwrap(),
            AccountId::new("me@x.org").unwrap(),
            SipUri::parse("sip:bob@x.org").unwrap(),
            UnixMillis(0),
        )
    }

    fn incoming() -> Session {
        Session::incoming(
            SessionId::new("s2").unwrap(),
            AccountId::new("me@x.org").unwrap(),
            SipUri::parse("sip:carol@x.org").unwrap(),
            Some("Carol".into()),
            UnixMillis(0),
        )
    }

    #[test]
    fn outgoing_call_walks_through_its_states() {
        let mut call = outgoing();
        assert_eq!(call.state(), CallState::Calling);
        call.on_progress(false).unwrap();
        assert_eq!(call.state(), CallState::Ringing);
        call.on_progress(true).unwrap();
        assert_eq!(call.state(), CallState::EarlyMedia);
        call.on_progress(false).unwrap();
        assert_eq!(
            call.state(),
            CallState::EarlyMedia,
            "a later 180 keeps early media"
        );
        call.on_answered(UnixMillis(3_000)).unwrap();
        assert_eq!(call.state(), CallState::Established);
        call.set_hold(true).unwrap();
        assert_eq!(call.state(), CallState::OnHold);
        call.set_hold(false).unwrap();
        assert_eq!(call.state(), CallState::Established);
        assert_eq!(call.hang_up().unwrap(), CallResult::Answered);
        assert!(call.is_terminated());
        assert_eq!(call.answered_at, Some(UnixMillis(3_000)));
    }

    #[test]
    fn outgoing_failures_map_to_results() {
        for (code, expected) in [
            (486, CallResult::Busy),
            (600, CallResult::Busy),
            (603, CallResult::Rejected),
            (487, CallResult::Cancelled),
            (404, CallResult::Failed),
            (408, CallResult::Failed),
        ] {
            let mut call = outgoing();
            assert_eq!(call.on_failed(code).unwrap(), expected, "code {code}");
            assert_eq!(call.state(), CallState::Terminated(expected));
        }
    }

    #[test]
    fn reject_is_603_decline_and_busy_is_486() {
        let mut declined = incoming();
        assert_eq!(declined.reject().unwrap(), CallResult::Rejected);
        let mut busy = incoming();
        assert_eq!(busy.busy().unwrap(), CallResult::Busy);
        assert!(busy.reject().is_err(), "no second final answer");
    }

    #[test]
    fn cancel_with_reason_is_answered_elsewhere_not_missed() {
        let reason = Reason {
            protocol: "SIP".into(),
            cause: Some(200),
            text: Some("Call completed elsewhere".into()),
        };
        let mut elsewhere = incoming();
        assert_eq!(
            elsewhere.on_cancelled(Some(&reason)).unwrap(),
            CallResult::AnsweredElsewhere
        );
        assert!(!CallResult::AnsweredElsewhere.is_missed());
        let mut missed = incoming();
        assert_eq!(missed.on_cancelled(None).unwrap(), CallResult::Missed);
    }

    #[test]
    fn incoming_call_is_accepted_then_confirmed() {
        let mut call = incoming();
        call.accept(UnixMillis(5)).unwrap();
        assert_eq!(call.state(), CallState::Accepted);
        assert!(
            call.on_cancelled(None).is_err(),
            "a CANCEL after 200 OK changes nothing"
        );
        call.on_confirmed().unwrap();
        assert_eq!(call.state(), CallState::Established);
        call.set_muted(true).unwrap();
        assert!(call.is_muted());
    }

    #[test]
    fn impossible_transitions_are_errors() {
        let mut call = outgoing();
        assert_eq!(
            call.accept(UnixMillis(0)),
            Err(SessionError::InvalidTransition {
                state: CallState::Calling,
                action: "answer"
            })
        );
        assert!(call.set_hold(true).is_err());
        let mut ringing = incoming();
        assert!(ringing.on_answered(UnixMillis(0)).is_err());
        assert!(ringing.cancel().is_err());
        assert!(ringing.hang_up().is_err());
        ringing.reject().unwrap();
        assert!(ringing.set_muted(true).is_err());
        assert_eq!(
            ringing.set_hold(true).unwrap_err().to_string(),
            "cannot hold a call that is terminated"
        );
    }
}

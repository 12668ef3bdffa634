//! One call as the Phone keeps it: the session state machine and the facts about the call
//! that the state machine does not hold. Everything about a call lives in its one [`Call`],
//! so ending the call drops it all at once.

use std::collections::{HashSet, VecDeque};

use wink_ports::{MessageId, Sdp, SessionId};

use crate::{DtmfStep, ProgressMeter, Session};

/// Everything the Phone knows about one call.
#[derive(Debug)]
pub(super) struct Call {
    /// The call's state machine, as frontends see it through `Phone::session`.
    pub(super) session: Session,
    /// An incoming call not answered yet: the offer of its INVITE (`None` also when the
    /// INVITE had no SDP, and once the call is answered).
    pub(super) pending_offer: Option<Sdp>,
    /// We sent the offer in our 200 OK; the answer comes in the ACK.
    pub(super) late_offer: bool,
    /// An outgoing call whose answer SDP was already applied (from a 183).
    pub(super) answer_applied: bool,
    /// The answering machine took the call.
    pub(super) by_machine: bool,
    /// The dialed DTMF tail still to play once the call is answered.
    pub(super) dtmf_queue: VecDeque<DtmfStep>,
    /// The call whose remote party transferred us, which is why we made this one: that
    /// party hears how this call goes, until a final answer.
    pub(super) transferred_from: Option<SessionId>,
    /// A file transfer's progress so far.
    pub(super) file_progress: ProgressMeter,
    /// The chat lines handed to this session's stream (typed in it, or sent again).
    pub(super) chat_lines: HashSet<MessageId>,
    /// The other side takes `message/cpim`: lines go in an envelope asking for a delivery
    /// notification (else as plain text).
    pub(super) peer_takes_cpim: bool,
    /// The lines of ours known delivered (said once, however many reports say it).
    pub(super) delivered_lines: HashSet<MessageId>,
}

impl Call {
    /// A call we place: nothing known yet but its session.
    pub(super) fn outgoing(session: Session) -> Self {
        Self {
            session,
            pending_offer: None,
            late_offer: false,
            answer_applied: false,
            by_machine: false,
            dtmf_queue: VecDeque::new(),
            transferred_from: None,
            file_progress: ProgressMeter::new(),
            chat_lines: HashSet::new(),
            peer_takes_cpim: false,
            delivered_lines: HashSet::new(),
        }
    }

    /// A call that rings here, with the offer of its INVITE (`None`: no SDP).
    pub(super) fn incoming(session: Session, offer: Option<Sdp>) -> Self {
        Self {
            pending_offer: offer,
            ..Self::outgoing(session)
        }
    }
}

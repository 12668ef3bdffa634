//! The window's actions as one typed enum: menus, buttons and keyboard shortcuts all name
//! an action from here, never a string of their own.

/// An action of the main window (`win.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowAction {
    /// Open the Add Account dialog.
    AddAccount,
    /// Put the keyboard in the search bar.
    FocusSearch,
    /// Hang up the current call (Escape).
    HangUp,
    /// Hold or resume the current call (Space).
    ToggleHold,
    /// Mute or unmute the current call (Ctrl+M).
    ToggleMute,
    /// Hang up the call whose id is the parameter.
    HangUpCall,
    /// Hold or resume the call whose id is the parameter.
    HoldCall,
    /// Mute or unmute the call whose id is the parameter.
    MuteCall,
    /// Start or stop recording the call whose id is the parameter.
    RecordCall,
    /// In a conference, mute or unmute for everyone the other side of the call whose id is
    /// the parameter.
    SilenceCall,
    /// Blind transfer: the parameter is (call id, target as typed).
    TransferCall,
    /// Attended transfer: the parameter is (call id, the other call's id).
    ConnectCalls,
    /// Join every connected call in a local conference.
    MergeCalls,
    /// Open the contact editor for a new contact.
    AddContact,
    /// Call the contact whose id is the parameter.
    CallContact,
    /// Edit the contact whose id is the parameter.
    EditContact,
    /// Delete (after asking) the contact whose id is the parameter.
    DeleteContact,
    /// Show the dial pad instead of the contact list (a toggle: the window's `dial-pad`).
    DialPad,
    /// Compact view: only the search bar and the calls (a toggle: the window's `compact`).
    Compact,
    /// A dragged contact or group dropped on a row: (what, on what), as `RowRef` texts.
    DropOnRow,
    /// Mark the contact whose id is the parameter as favorite, or no longer.
    ToggleFavorite,
    /// The microphone (a choice: the window's `microphone`, a device id, `""` the default).
    Microphone,
    /// The speaker (a choice: the window's `speaker`).
    Speaker,
    /// Where incoming calls ring (a choice: the window's `ringing`).
    Ringing,
    /// Use the device just plugged in (the answer to the window's question).
    UsePluggedIn,
    /// Open the Preferences window.
    Preferences,
    /// Open the chat tab of the contact whose id is the parameter.
    MessageContact,
    /// Pick files to send to the contact whose id is the parameter.
    SendFileToContact,
    /// Files dropped on a contact: (contact id, the files' paths one a line).
    FilesOnContact,
    /// Open the chat tab of what the search bar holds.
    MessageTyped,
    /// Show the chat window.
    ShowChats,
    /// Show the file transfers window.
    ShowTransfers,
}

impl WindowAction {
    /// Every action, for installing them.
    pub(crate) const ALL: [WindowAction; 32] = [
        WindowAction::AddAccount,
        WindowAction::FocusSearch,
        WindowAction::HangUp,
        WindowAction::ToggleHold,
        WindowAction::ToggleMute,
        WindowAction::HangUpCall,
        WindowAction::HoldCall,
        WindowAction::MuteCall,
        WindowAction::RecordCall,
        WindowAction::SilenceCall,
        WindowAction::TransferCall,
        WindowAction::ConnectCalls,
        WindowAction::MergeCalls,
        WindowAction::AddContact,
        WindowAction::CallContact,
        WindowAction::EditContact,
        WindowAction::DeleteContact,
        WindowAction::DialPad,
        WindowAction::Compact,
        WindowAction::DropOnRow,
        WindowAction::ToggleFavorite,
        WindowAction::Microphone,
        WindowAction::Speaker,
        WindowAction::Ringing,
        WindowAction::UsePluggedIn,
        WindowAction::Preferences,
        WindowAction::MessageContact,
        WindowAction::SendFileToContact,
        WindowAction::FilesOnContact,
        WindowAction::MessageTyped,
        WindowAction::ShowChats,
        WindowAction::ShowTransfers,
    ];

    /// The detailed name widgets use (`win.hang-up`).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            WindowAction::AddAccount => "win.add-account",
            WindowAction::FocusSearch => "win.focus-search",
            WindowAction::HangUp => "win.hang-up",
            WindowAction::ToggleHold => "win.toggle-hold",
            WindowAction::ToggleMute => "win.toggle-mute",
            WindowAction::HangUpCall => "win.hang-up-call",
            WindowAction::HoldCall => "win.hold-call",
            WindowAction::MuteCall => "win.mute-call",
            WindowAction::RecordCall => "win.record-call",
            WindowAction::SilenceCall => "win.silence-call",
            WindowAction::TransferCall => "win.transfer-call",
            WindowAction::ConnectCalls => "win.connect-calls",
            WindowAction::MergeCalls => "win.merge-calls",
            WindowAction::AddContact => "win.add-contact",
            WindowAction::CallContact => "win.call-contact",
            WindowAction::EditContact => "win.edit-contact",
            WindowAction::DeleteContact => "win.delete-contact",
            WindowAction::DialPad => "win.dial-pad",
            WindowAction::Compact => "win.compact",
            WindowAction::DropOnRow => "win.drop-on-row",
            WindowAction::ToggleFavorite => "win.toggle-favorite",
            WindowAction::Microphone => "win.microphone",
            WindowAction::Speaker => "win.speaker",
            WindowAction::Ringing => "win.ringing",
            WindowAction::UsePluggedIn => "win.use-plugged-in",
            WindowAction::Preferences => "win.preferences",
            WindowAction::MessageContact => "win.message-contact",
            WindowAction::SendFileToContact => "win.send-file-to-contact",
            WindowAction::FilesOnContact => "win.files-on-contact",
            WindowAction::MessageTyped => "win.message-typed",
            WindowAction::ShowChats => "win.show-chats",
            WindowAction::ShowTransfers => "win.show-transfers",
        }
    }

    /// The window property a toggle or choice action sets (`None`: a plain action).
    pub(crate) const fn property(self) -> Option<&'static str> {
        match self {
            WindowAction::DialPad => Some("dial-pad"),
            WindowAction::Compact => Some("compact"),
            WindowAction::Microphone => Some("microphone"),
            WindowAction::Speaker => Some("speaker"),
            WindowAction::Ringing => Some("ringing"),
            _ => None,
        }
    }

    /// The type of its parameter: a call id (`s`), two strings (`(ss)`), or none.
    pub(crate) fn parameter_type(self) -> Option<&'static gtk::glib::VariantTy> {
        match self {
            WindowAction::HangUpCall
            | WindowAction::HoldCall
            | WindowAction::MuteCall
            | WindowAction::RecordCall
            | WindowAction::SilenceCall
            | WindowAction::CallContact
            | WindowAction::EditContact
            | WindowAction::DeleteContact
            | WindowAction::ToggleFavorite
            | WindowAction::MessageContact
            | WindowAction::SendFileToContact => Some(gtk::glib::VariantTy::STRING),
            WindowAction::TransferCall
            | WindowAction::ConnectCalls
            | WindowAction::DropOnRow
            | WindowAction::FilesOnContact => gtk::glib::VariantTy::new("(ss)").ok(),
            _ => None,
        }
    }

    /// The keyboard shortcut, as GTK writes it.
    pub(crate) const fn shortcut(self) -> Option<&'static str> {
        match self {
            WindowAction::AddAccount => None,
            WindowAction::AddContact => Some("<Control>n"),
            WindowAction::Preferences => Some("<Control>comma"),
            WindowAction::DialPad => Some("<Control>d"),
            WindowAction::Compact => Some("<Control><Shift>c"),
            WindowAction::FocusSearch => Some("<Control>f"),
            WindowAction::HangUp => Some("Escape"),
            WindowAction::ToggleHold => Some("space"),
            WindowAction::ToggleMute => Some("<Control>m"),
            WindowAction::MessageTyped => Some("<Control>Return"),
            WindowAction::ShowChats => Some("<Control><Shift>m"),
            WindowAction::ShowTransfers => Some("<Control><Shift>t"),
            _ => None,
        }
    }
}

/// An action of the chat window (`win.*` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChatAction {
    /// Send what is typed in the current tab (Enter).
    SendLine,
    /// Send a failed line again: (conversation address, line number).
    ResendLine,
    /// Start a chat session (MSRP) with the current tab's correspondent.
    StartChat,
    /// End the current tab's chat session.
    EndChat,
    /// Pick files to send to the current tab's correspondent.
    SendFile,
    /// Files dropped on a tab: (conversation address, the files' paths one a line).
    FilesOnTab,
    /// Show the file transfers window.
    ShowTransfers,
}

impl ChatAction {
    /// Every action, for installing them.
    pub(crate) const ALL: [ChatAction; 7] = [
        ChatAction::SendLine,
        ChatAction::ResendLine,
        ChatAction::StartChat,
        ChatAction::EndChat,
        ChatAction::SendFile,
        ChatAction::FilesOnTab,
        ChatAction::ShowTransfers,
    ];

    /// The detailed name widgets use.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            ChatAction::SendLine => "win.send-line",
            ChatAction::ResendLine => "win.resend-line",
            ChatAction::StartChat => "win.start-chat",
            ChatAction::EndChat => "win.end-chat",
            ChatAction::SendFile => "win.send-file",
            ChatAction::FilesOnTab => "win.files-on-tab",
            ChatAction::ShowTransfers => "win.show-transfers",
        }
    }

    /// The type of its parameter.
    pub(crate) fn parameter_type(self) -> Option<&'static gtk::glib::VariantTy> {
        match self {
            ChatAction::ResendLine | ChatAction::FilesOnTab => {
                gtk::glib::VariantTy::new("(ss)").ok()
            }
            _ => None,
        }
    }

    /// The keyboard shortcut, as GTK writes it.
    pub(crate) const fn shortcut(self) -> Option<&'static str> {
        match self {
            ChatAction::SendFile => Some("<Control>o"),
            ChatAction::ShowTransfers => Some("<Control><Shift>t"),
            _ => None,
        }
    }
}

/// An action of the file transfers window (`win.*` there); the parameter is the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransferAction {
    /// Stop a transfer (hang up its session).
    Cancel,
    /// Open the file with its default application.
    Open,
    /// Show the file in the file manager.
    ShowInFolder,
    /// Remove the rows of transfers that are over (no parameter).
    ClearFinished,
}

impl TransferAction {
    /// Every action, for installing them.
    pub(crate) const ALL: [TransferAction; 4] = [
        TransferAction::Cancel,
        TransferAction::Open,
        TransferAction::ShowInFolder,
        TransferAction::ClearFinished,
    ];

    /// The detailed name widgets use.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            TransferAction::Cancel => "win.cancel-transfer",
            TransferAction::Open => "win.open-file",
            TransferAction::ShowInFolder => "win.show-in-folder",
            TransferAction::ClearFinished => "win.clear-finished",
        }
    }

    /// The type of its parameter.
    pub(crate) fn parameter_type(self) -> Option<&'static gtk::glib::VariantTy> {
        match self {
            TransferAction::ClearFinished => None,
            _ => Some(gtk::glib::VariantTy::STRING),
        }
    }
}

/// Binds `shortcut` (GTK's trigger syntax, e.g. `<Control>Return`) to the action `name` of
/// a widget class; nothing without one.
pub(crate) fn bind_shortcut<K>(klass: &mut K, name: &'static str, shortcut: Option<&str>)
where
    K: gtk::subclass::widget::WidgetClassExt,
{
    if let Some(trigger) = shortcut.and_then(gtk::ShortcutTrigger::parse_string) {
        klass.add_shortcut(&gtk::Shortcut::new(
            Some(trigger),
            Some(gtk::NamedAction::new(name)),
        ));
    }
}

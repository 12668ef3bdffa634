//! The main window's side of chats and files: it opens the chat and transfers windows,
//! starts chat sessions and file transfers, picks files and takes them dropped on a
//! contact, and answers file offers and chat invitations.

use std::path::PathBuf;

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};
use wink_domain::{Command, CommandOutcome, PhoneEvent};
use wink_ports::{SessionId, SipUri};

use super::MainWindow;
use crate::models::call_view::Party;
use crate::models::transfers::TransferView;
use crate::widgets::{ChatWindow, TransfersWindow};

impl MainWindow {
    /// The chat window (made on first use).
    pub(crate) fn chats(&self) -> ChatWindow {
        self.imp()
            .chats
            .get_or_init(|| ChatWindow::new(self, self.core()))
            .clone()
    }

    /// The transfers window (made on first use).
    pub(crate) fn transfers(&self) -> TransfersWindow {
        self.imp()
            .transfers
            .get_or_init(|| TransfersWindow::new(self, self.core()))
            .clone()
    }

    /// Shows the transfers window.
    pub(crate) fn show_transfers(&self) {
        self.transfers().present();
    }

    /// The address a target as typed reaches, or a sentence in the bar.
    fn address_or_say(&self, target: &str) -> Option<String> {
        if self.core().phone().is_none() {
            self.show_problem("Add an account first: Wink needs one to send messages and files.");
            return None;
        }
        let address = self.core().address_of(target);
        if address.is_none() {
            self.show_problem(&format!(
                "{target:?} is not an address or a number Wink can reach."
            ));
        }
        address
    }

    /// Opens the conversation with `target` (a contact's address or number, or typed).
    pub(crate) fn open_chat(&self, target: &str, name: Option<String>) {
        let Some(address) = self.address_or_say(target) else {
            return;
        };
        let chats = self.chats();
        chats.open_tab(&address, name, Some(target), true);
        chats.present();
    }

    /// Brings a conversation forward (a click on a message's notification).
    pub(crate) fn show_conversation(&self, address: &str) {
        self.chats().show_conversation(address);
    }

    /// Starts a chat session with `address`; lines typed meanwhile wait for it.
    pub(crate) fn start_chat(&self, address: &str) {
        let core = self.core();
        let address = address.to_owned();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                let command = Command::Chat {
                    target: address.clone(),
                    account: None,
                };
                match core.execute(command).await {
                    Ok(CommandOutcome::Session(session)) => {
                        window.chats().chat_started(&address, session);
                    }
                    Ok(_) => {}
                    Err(error) => {
                        window.show_problem(&crate::sentence::sentence(&format!(
                            "the chat with {address} could not start: {error}"
                        )));
                    }
                }
            }
        ));
    }

    /// A chat session connected: an invitation we accepted opens its tab and comes to the
    /// front; one we started was known to its tab since its command returned.
    pub(super) fn on_chat_connected(&self, session: &SessionId) {
        let invitation = self.imp().kinds.borrow_mut().take_invitation(session);
        match invitation {
            Some(invitation) => {
                let party = self.known_as(&invitation.party);
                let chats = self.chats();
                chats.open_tab(&party.address, party.name.clone(), None, true);
                chats.chat_connected(&party.address, session);
            }
            None => self.chats().on_event(&PhoneEvent::ChatConnected {
                session: session.clone(),
            }),
        }
    }

    /// Asks for files to send to `target` (from a contact's menu or a chat tab).
    pub(crate) fn pick_files(&self, parent: &gtk::Window, target: &str, name: Option<String>) {
        let whom = name.clone().unwrap_or_else(|| target.to_owned());
        // The dialog, not FileChooserNative: GTK 4.8's native chooser looks for the
        // desktop portal first and crashed in about half the runs where there is none
        // (a NULL object path handed to g_variant_new_object_path).
        let chooser = gtk::FileChooserDialog::new(
            Some(&format!("Send Files to {whom}")),
            Some(parent),
            gtk::FileChooserAction::Open,
            &[
                ("Cancel", gtk::ResponseType::Cancel),
                ("Send", gtk::ResponseType::Accept),
            ],
        );
        chooser.set_default_response(gtk::ResponseType::Accept);
        chooser.set_modal(true);
        chooser.set_select_multiple(true);
        let target = target.to_owned();
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |chooser, response| {
                if response == gtk::ResponseType::Accept {
                    let files = chooser.files();
                    let paths: Vec<PathBuf> = (0..files.n_items())
                        .filter_map(|i| files.item(i).and_downcast::<gio::File>())
                        .filter_map(|file| file.path())
                        .collect();
                    window.send_files(&target, name.clone(), paths);
                }
                chooser.destroy();
                window.imp().file_chooser.replace(None);
            }
        ));
        chooser.present();
        self.imp().file_chooser.replace(Some(chooser));
    }

    /// Sends each file to `target`; each gets its row in the transfers window.
    pub(crate) fn send_files(&self, target: &str, name: Option<String>, paths: Vec<PathBuf>) {
        let Some(address) = self.address_or_say(target) else {
            return;
        };
        let party = SipUri::parse(&format!("sip:{address}"))
            .map(|uri| Party::new(&uri, name))
            .ok();
        let Some(party) = party else {
            return;
        };
        for path in paths {
            self.send_file(target, party.clone(), path);
        }
    }

    fn send_file(&self, target: &str, party: Party, path: PathBuf) {
        let core = self.core();
        let target = target.to_owned();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                let size = std::fs::metadata(&path).ok().map(|m| m.len());
                let command = Command::SendFile {
                    target,
                    path: path.clone(),
                    account: None,
                };
                match core.execute(command).await {
                    Ok(CommandOutcome::Session(session)) => {
                        window
                            .transfers()
                            .add(TransferView::outgoing(session, &path, party, size));
                    }
                    Ok(_) => {}
                    Err(error) => {
                        window.show_problem(&crate::sentence::sentence(&format!(
                            "{} could not be sent: {error}",
                            path.display()
                        )));
                    }
                }
            }
        ));
    }

    /// Keeps what an incoming file offer becomes once accepted.
    pub(super) fn remember_offer(
        &self,
        session: &SessionId,
        party: Party,
        name: &str,
        size: Option<u64>,
    ) {
        self.imp().offers.borrow_mut().insert(
            session.clone(),
            TransferView::incoming(session.clone(), name, party, size),
        );
    }

    /// Accepts a chat invitation: its tab opens once the chat connects.
    pub(super) fn accept_chat(&self, session: &SessionId) {
        self.close_incoming(session.as_str());
        self.send(Command::Answer(session.clone()));
    }

    /// Takes an offered file: its row shows in the transfers window.
    pub(super) fn accept_file(&self, session: &SessionId) {
        let offer = self.imp().offers.borrow_mut().remove(session);
        if let Some(offer) = offer {
            self.transfers().add(offer);
        }
        self.close_incoming(session.as_str());
        self.send(Command::Answer(session.clone()));
    }
}

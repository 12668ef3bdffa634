//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Wink: a SIP softphone for Linux.
#[derive(Debug, Parser)]
#[command(name = "wink-cli", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// Print the SIP trace (every message sent and received, credentials redacted) on stderr.
    #[arg(long, global = true)]
    pub(crate) trace: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// A command, as given on the command line or typed in interactive mode.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage SIP accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage contacts and groups.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Print the URI a target would dial from an account, and the DTMF sent after connect.
    Rewrite {
        /// The account to dial from (default: the default account).
        #[arg(long)]
        account: Option<String>,
        /// The target as typed: alice, alice@example.com, +44 20 1234 5678#123.
        target: String,
    },
    /// Settings file and storage choices.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Register an account, report the result, then unregister.
    Register(Network),
    /// Register, print incoming calls, chats and messages, and take commands from stdin
    /// (answer, reject, busy, hangup, hold, unhold, mute, unmute, say TEXT in a chat, quit)
    /// until Ctrl-C.
    Listen {
        #[command(flatten)]
        network: Network,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<u64>,
        /// Answer incoming calls at once.
        #[arg(long, conflicts_with = "refuse")]
        auto_answer: bool,
        /// Refuse incoming calls: `decline` (603, every device stops ringing) or `busy` (486).
        #[arg(long)]
        refuse: Option<Refusal>,
        /// Record answered calls (both directions) to the recordings folder.
        #[arg(long)]
        record: bool,
        /// The answering machine answers calls nobody took after this many seconds (for
        /// this run, whatever the settings say).
        #[arg(long, value_name = "SECS", conflicts_with_all = ["auto_answer", "refuse"])]
        answering_machine: Option<u32>,
        /// The greeting the answering machine plays (a WAV file).
        #[arg(long, requires = "answering_machine")]
        greeting: Option<std::path::PathBuf>,
        /// The longest message the answering machine records, in seconds.
        #[arg(long, value_name = "SECS", requires = "answering_machine")]
        max_message: Option<u32>,
    },
    /// Call a target; stdin takes hangup, hold, unhold, mute, unmute, dtmf KEYS,
    /// record [off], stats, transfer TARGET, consult TARGET, complete, conference [off], quit.
    Call {
        #[command(flatten)]
        network: Network,
        /// alice, alice@example.com, sip:alice@example.com;transport=tcp, +44 20 ...
        target: String,
        /// Hang up this many seconds after the call is answered.
        #[arg(long)]
        hangup_after: Option<u64>,
        /// Put the call on hold this many seconds after it is answered.
        #[arg(long)]
        hold_after: Option<u64>,
        /// Transfer the answered call to this target (blind transfer) ...
        #[arg(long)]
        transfer_to: Option<String>,
        /// ... this many seconds after it is answered (default 1).
        #[arg(long, default_value_t = 1)]
        transfer_after: u64,
        /// Attended transfer: put the answered call on hold, call this target, and once it
        /// answers connect the two parties (REFER with Replaces) ...
        #[arg(long, conflicts_with = "transfer_to")]
        consult: Option<String>,
        /// ... this many seconds after the first call is answered (default 1).
        #[arg(long, default_value_t = 1)]
        consult_after: u64,
        /// DTMF keys (0-9 * #) to send a second after the call is answered.
        #[arg(long)]
        dtmf: Option<String>,
        /// A second after the call is answered, call this target too and join the two
        /// calls in a local conference.
        #[arg(long, conflicts_with_all = ["transfer_to", "consult"])]
        conference_with: Option<String>,
        /// Record the call (both directions) to the recordings folder.
        #[arg(long)]
        record: bool,
    },
    /// A chat session (MSRP) with a target: each line typed is sent and its delivery
    /// state printed, with the other side's lines; an empty line, `quit` or Ctrl-D ends it.
    Chat {
        #[command(flatten)]
        network: Network,
        /// The other side: alice, alice@example.com, sip:alice@example.com, ...
        target: String,
    },
    /// Send a file (MSRP, RFC 5547) with a progress bar; it ends when the other side
    /// confirms the whole file arrived. Sending a file again after a failed transfer
    /// resumes it where the other side's part of it ends.
    SendFile {
        #[command(flatten)]
        network: Network,
        /// The recipient: alice, alice@example.com, sip:alice@example.com, ...
        target: String,
        /// The file.
        path: std::path::PathBuf,
    },
    /// Register and take every file offered into DIR (never overwriting a file there:
    /// a new name is found), printing progress; calls are handled as by `listen`.
    AcceptFiles {
        #[command(flatten)]
        network: Network,
        /// Where received files go.
        dir: std::path::PathBuf,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<u64>,
    },
    /// Send a short message (SIP MESSAGE) and report whether it was delivered.
    Message {
        #[command(flatten)]
        network: Network,
        /// The recipient: alice, alice@example.com, +44...
        target: String,
        /// The text.
        text: String,
    },
    /// Read commands line by line (type `help`, `quit` to leave).
    Interactive,
    /// The call history, newest first; `history clear` empties it (chats stay),
    /// `history export` prints all of it as CSV or JSON.
    History {
        /// Only missed calls.
        #[arg(long)]
        missed: bool,
        /// Only calls that came in.
        #[arg(long, conflicts_with = "outgoing")]
        incoming: bool,
        /// Only calls we made.
        #[arg(long)]
        outgoing: bool,
        /// Only sessions with this address (user@domain).
        #[arg(long = "with", value_name = "ADDRESS")]
        with_remote: Option<String>,
        /// Only sessions that used this media.
        #[arg(long)]
        media: Option<MediaChoice>,
        /// At most this many entries.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Search the chat and short messages for this text instead.
        #[arg(long, conflicts_with = "missed")]
        search: Option<String>,
        /// The export format.
        #[arg(long, default_value = "csv")]
        format: ExportFormat,
        /// `clear` or `export`.
        action: Option<HistoryAction>,
    },
    /// List the audio devices (sound cards, plus `null`) with the ids settings and
    /// `--audio` take; with `--watch SECS`, then print devices plugged in or out.
    Devices {
        /// Keep watching for hot-plug events this many seconds.
        #[arg(long)]
        watch: Option<u64>,
    },
    /// A test call between two user agents of our own over loopback (real SIP, RTP, SRTP,
    /// codecs, jitter buffer): reports whether audio went both ways, the latency and the
    /// loss. No account or network needed.
    Selftest {
        /// Codecs, most preferred first (default: the settings').
        #[arg(long, value_delimiter = ',')]
        codec: Option<Vec<CodecChoice>>,
        /// Media encryption (default: the settings').
        #[arg(long)]
        srtp: Option<SrtpChoice>,
        /// How long the call lasts, in seconds.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Add a SIP account; the password goes to the secret store, never the settings file.
    Add(AccountAdd),
    /// List the accounts.
    List,
    /// Show one account.
    Show {
        /// Its address (user@domain).
        address: String,
    },
    /// Remove an account and its stored password.
    Remove {
        /// Its address (user@domain).
        address: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AccountAdd {
    /// The SIP address: user@domain (or username@server).
    pub(crate) address: String,
    /// The display name.
    #[arg(long)]
    pub(crate) display_name: Option<String>,
    /// The digest username, when it differs from the user part.
    #[arg(long)]
    pub(crate) auth_username: Option<String>,
    /// Outbound proxy: host[:port][;transport=udp|tcp|tls].
    #[arg(long)]
    pub(crate) outbound_proxy: Option<String>,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Replace a leading + of dialed numbers with this prefix (e.g. 00).
    #[arg(long)]
    pub(crate) plus_replacement: Option<String>,
    /// Prefix for an outside line (e.g. 9).
    #[arg(long)]
    pub(crate) line_prefix: Option<String>,
    /// What separates a number from the DTMF sent after connect (default #).
    #[arg(long)]
    pub(crate) dtmf_delimiter: Option<char>,
    /// Make it the default account.
    #[arg(long)]
    pub(crate) default: bool,
    /// A CA certificate (PEM) to trust for this account's TLS server, e.g. a self-signed one.
    #[arg(long)]
    pub(crate) tls_ca_file: Option<std::path::PathBuf>,
    /// An MSRP relay for chats and files (RFC 4976): msrp://host:port;tcp or msrps://...;
    /// it takes the account's username and password.
    #[arg(long, value_name = "URI")]
    pub(crate) msrp_relay: Option<String>,
    /// Put the username in the Contact instead of a random token (providers that insist).
    #[arg(long)]
    pub(crate) contact_username: bool,
    /// Put the public address the registrar saw (received/rport) in the Contact.
    #[arg(long)]
    pub(crate) contact_public_address: bool,
    /// How DTMF keys are sent: `rfc4733` (in the audio stream) or `sip-info` (SIP INFO, for
    /// peers without telephone-events).
    #[arg(long, default_value = "rfc4733")]
    pub(crate) dtmf: DtmfChoice,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ContactsCommand {
    /// Add a contact.
    Add {
        /// The name shown.
        name: String,
        /// A SIP address (repeatable).
        #[arg(long = "address")]
        addresses: Vec<String>,
        /// A phone number (repeatable).
        #[arg(long = "phone")]
        phones: Vec<String>,
        /// A chat alias (repeatable).
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// The group (created if missing; default "Contacts").
        #[arg(long)]
        group: Option<String>,
    },
    /// List contacts by group, or search them.
    List {
        /// Search names, addresses, numbers and aliases.
        #[arg(long)]
        search: Option<String>,
    },
    /// Remove a contact (by id or name).
    Remove {
        /// Its id or name.
        contact: String,
    },
    /// Move a contact to a group.
    Move {
        /// Its id or name.
        contact: String,
        /// The group.
        #[arg(long)]
        to: String,
        /// Its place in the group (0 is first; default last).
        #[arg(long)]
        position: Option<usize>,
    },
    /// Manage groups.
    #[command(subcommand)]
    Group(GroupCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum GroupCommand {
    /// Add a group.
    Add {
        /// Its name.
        name: String,
    },
    /// Rename a group.
    Rename {
        /// Its current name.
        name: String,
        /// The new name.
        new_name: String,
    },
    /// Remove an empty group.
    Remove {
        /// Its name.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SecretsChoice {
    /// The desktop keyring (Secret Service).
    Keyring,
    /// A 0600 file under $XDG_DATA_HOME/wink (headless machines).
    File,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print where the settings file is.
    Path,
    /// Choose the microphone and speaker calls use with `--audio device` (ids from
    /// `wink-cli devices`, or `file:PATH`, `null`; `default` for the system's).
    Audio {
        /// The microphone.
        #[arg(long)]
        input: Option<String>,
        /// The speaker.
        #[arg(long)]
        output: Option<String>,
        /// Echo cancellation on sound cards (on by default).
        #[arg(long)]
        echo_cancellation: Option<Switch>,
        /// Noise suppression on sound cards (on by default).
        #[arg(long)]
        noise_suppression: Option<Switch>,
    },
    /// Use these DNS servers (ip:port, repeatable) to find SIP servers; none: the system's.
    DnsServers {
        /// Servers, e.g. 127.0.0.1:53.
        servers: Vec<std::net::SocketAddr>,
    },
    /// Choose where history, chats and contacts are kept: a PostgreSQL server shared by
    /// several machines (`postgres://user:password@host/database`), or SQLite.
    #[command(group = clap::ArgGroup::new("store").required(true))]
    Storage {
        /// A store URL: `postgres://…` or `sqlite:///path/to/file`.
        #[arg(long, group = "store")]
        url: Option<String>,
        /// Back to SQLite in `$XDG_DATA_HOME/wink/wink.sqlite`.
        #[arg(long, group = "store")]
        default: bool,
    },
    /// Choose where passwords are kept.
    Secrets {
        /// keyring or file.
        store: SecretsChoice,
    },
}

/// Options of the commands that talk to the network.
#[derive(Debug, Clone, Args)]
pub(crate) struct Network {
    /// The account to use (default: the default account).
    #[arg(long)]
    pub(crate) account: Option<String>,
    /// Where SIP listens, e.g. 127.0.0.1:5070 (default: the interface towards the server).
    #[arg(long)]
    pub(crate) bind: Option<std::net::SocketAddr>,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 40)]
    pub(crate) timeout: u64,
    /// Audio for calls: `device` (the sound card from the settings), `none` (an inactive
    /// stream, no audio), or `file:IN.wav[,OUT.wav]` (play IN.wav as the microphone, write
    /// what the call hears to OUT.wav).
    #[arg(long, default_value = "device", value_parser = parse_audio)]
    pub(crate) audio: AudioChoice,
    /// Codecs for this run, most preferred first, e.g. `--codec opus,pcmu`.
    #[arg(long, value_delimiter = ',')]
    pub(crate) codec: Option<Vec<CodecChoice>>,
    /// Media encryption for this run.
    #[arg(long)]
    pub(crate) srtp: Option<SrtpChoice>,
}

/// Where call audio goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AudioChoice {
    /// The devices of the settings.
    Device,
    /// No audio: signaling only.
    None,
    /// WAV files: the microphone, and the speaker (`None`: nothing is written).
    Files(std::path::PathBuf, Option<std::path::PathBuf>),
}

fn parse_audio(value: &str) -> Result<AudioChoice, String> {
    match value {
        "device" => Ok(AudioChoice::Device),
        "none" => Ok(AudioChoice::None),
        other => {
            let files = other.strip_prefix("file:").ok_or_else(|| {
                format!(
                    "'{other}' is not an audio choice: use device, none or file:IN.wav[,OUT.wav]"
                )
            })?;
            let (input, output) = match files.split_once(',') {
                Some((input, output)) => (input, Some(output)),
                None => (files, None),
            };
            if input.is_empty() || output.is_some_and(str::is_empty) {
                return Err("file: needs a WAV path, e.g. file:in.wav,out.wav".into());
            }
            Ok(AudioChoice::Files(input.into(), output.map(Into::into)))
        }
    }
}

/// A codec on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CodecChoice {
    /// Opus, 48 kHz.
    Opus,
    /// G.722, wideband.
    G722,
    /// G.711 A-law.
    Pcma,
    /// G.711 µ-law.
    Pcmu,
}

/// What `history` does besides listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HistoryAction {
    /// Empty the call history (chat messages stay).
    Clear,
    /// Print the whole call history in `--format`.
    Export,
}

/// A kind of media, for history filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MediaChoice {
    /// Audio calls.
    Audio,
    /// Chat sessions.
    Chat,
    /// File transfers.
    FileTransfer,
    /// Screen sharing.
    ScreenSharing,
    /// Short messages.
    Sms,
}

/// How `history export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of records.
    Json,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// How DTMF is sent, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DtmfChoice {
    /// RFC 4733 telephone-events in the audio stream.
    Rfc4733,
    /// SIP INFO with application/dtmf-relay.
    SipInfo,
}

/// SRTP on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SrtpChoice {
    /// Plain RTP.
    Off,
    /// SRTP when the other side takes it.
    Optional,
    /// SRTP or no call.
    Mandatory,
}

/// How `listen` refuses calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Refusal {
    /// 603 Decline: every device of the account stops ringing.
    Decline,
    /// 486 Busy Here: other devices keep ringing.
    Busy,
}

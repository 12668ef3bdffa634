//! A real baresip, started and stopped by `scripts/peers/baresip.sh`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::require_kamailio;

/// How baresip is set up for one test.
#[derive(Debug, Clone, Default)]
pub struct BaresipOptions {
    /// Answer incoming calls at once.
    pub auto_answer: bool,
    /// A WAV file it plays as its microphone (`None`: it sends no audio).
    pub audio_in: Option<PathBuf>,
    /// Where what it hears is copied (by [`Baresip::recording`]).
    pub audio_out: Option<PathBuf>,
    /// Its account's codec list, e.g. `pcmu` or `opus/48000/2`.
    pub codecs: Option<String>,
    /// `srtp`, `srtp-mand`, … (`None`: plain RTP).
    pub mediaenc: Option<String>,
}

/// A baresip started by `scripts/peers/baresip.sh` inside the test namespace; stopped (by
/// its own PID, through the script) when dropped.
pub struct Baresip {
    name: String,
    script: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl Baresip {
    /// Starts baresip registered as `user@wink.test` (password `<user>-pw`), sending no
    /// audio; `auto_answer` answers incoming calls at once. Fails the test, with baresip's
    /// log, if it cannot start or register.
    pub fn start(workspace: &Path, user: &str, auto_answer: bool) -> Self {
        Self::start_with(
            workspace,
            user,
            BaresipOptions {
                auto_answer,
                ..BaresipOptions::default()
            },
        )
    }

    /// Starts baresip with these options.
    pub fn start_with(workspace: &Path, user: &str, options: BaresipOptions) -> Self {
        require_kamailio();
        let script = workspace.join("scripts/peers/baresip.sh");
        let name = format!("{user}-{}", std::process::id());
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let mut env = vec![
            ("WINK_BARESIP_NAME", name.clone()),
            ("WINK_BARESIP_USER", user.to_owned()),
            (
                "WINK_BARESIP_AUTOANSWER",
                if options.auto_answer { "1" } else { "0" }.to_owned(),
            ),
            (
                "WINK_BARESIP_AUDIO_IN",
                options
                    .audio_in
                    .as_deref()
                    .map_or_else(|| "none".to_owned(), path),
            ),
        ];
        if let Some(out) = &options.audio_out {
            env.push(("WINK_BARESIP_AUDIO_OUT", path(out)));
        }
        if let Some(codecs) = options.codecs {
            env.push(("WINK_BARESIP_CODECS", codecs));
        }
        if let Some(mediaenc) = options.mediaenc {
            env.push(("WINK_BARESIP_MEDIAENC", mediaenc));
        }
        let baresip = Self { name, script, env };
        let status = baresip
            .script_command("start")
            .status()
            .expect("bash runs scripts/peers/baresip.sh");
        assert!(
            status.success(),
            "baresip did not start for {user} (see the log above)"
        );
        baresip
    }

    fn script_command(&self, action: &str) -> Command {
        let mut command = Command::new("bash");
        command.arg(&self.script).arg(action);
        command.envs(self.env.iter().map(|(k, v)| (*k, v.as_str())));
        command
    }

    /// Runs one command on baresip's control channel (`dial sip:...`, `hangup`, ...).
    pub fn control(&self, command: &[&str]) -> Output {
        let helper = self.script.with_file_name("baresip-ctl.py");
        Command::new("python3")
            .arg(helper)
            .args(["--name", &self.name])
            .args(command)
            .output()
            .expect("python3 runs baresip-ctl.py")
    }

    /// Starts waiting (in the background, at most `seconds`) for one ctrl_tcp event such as
    /// `CALL_DTMF_START`; [`EventWatch::wait`] returns the event's JSON line. Events are not
    /// queued by baresip: start the watch before causing the event.
    pub fn watch(&self, event: &str, seconds: u32) -> EventWatch {
        let helper = self.script.with_file_name("baresip-ctl.py");
        let child = Command::new("python3")
            .arg(helper)
            .args(["--name", &self.name, "--wait", event, "--timeout"])
            .arg(seconds.to_string())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs baresip-ctl.py");
        // Let the watcher connect before the caller acts.
        std::thread::sleep(Duration::from_millis(500));
        EventWatch { child }
    }

    /// Its instance name (for `scripts/peers/baresip-ctl.py --name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where its log is written.
    pub fn log_path(&self) -> PathBuf {
        let dir = std::env::var("WINK_PEERS_DIR").unwrap_or_else(|_| "/tmp/wink-peers".into());
        Path::new(&dir)
            .join(format!("baresip-{}", self.name))
            .join("baresip.log")
    }

    /// baresip's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Waits (at most `limit`) until the log contains `text`; true if it did.
    pub fn wait_for_log(&self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.log().contains(text) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        true
    }

    /// Dials `uri` and waits (at most 10 s) until the call is established; fails the test
    /// with baresip's log otherwise.
    pub fn dial_until_established(&self, uri: &str) {
        let dialed = self.control(&["dial", uri]);
        assert!(
            dialed.status.success(),
            "baresip could not dial {uri}: {}",
            String::from_utf8_lossy(&dialed.stdout)
        );
        assert!(
            self.wait_for_log("Call established", Duration::from_secs(10)),
            "the call to {uri} was not established\n{}",
            self.log()
        );
    }

    /// Copies what baresip heard in its last call to `audio_out` (once the call ended).
    pub fn recording(&self) {
        let out = self
            .script_command("recording")
            .output()
            .expect("bash runs scripts/peers/baresip.sh");
        assert!(
            out.status.success(),
            "baresip's recording could not be collected: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.script_command("stop").status();
    }
}

/// A background wait for one baresip event (see [`Baresip::watch`]).
pub struct EventWatch {
    child: std::process::Child,
}

impl EventWatch {
    /// The event's JSON line, or `None` if it did not come in time.
    pub fn wait(self) -> Option<String> {
        let out = self.child.wait_with_output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

//! An MSRP relay of a test's own (kamailio's msrp module, started by
//! `scripts/peers/msrp-relay.sh` in a folder and on a port of the test's choosing), so a
//! test can stop and restart it without touching the relay the other tests share.

use std::path::Path;
use std::process::{Command, ExitStatus};

/// A running relay; stopped by its script when dropped.
pub struct OwnMsrpRelay {
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnMsrpRelay {
    /// Starts one on 127.0.0.1:`port`; fails the test, saying why, if it cannot.
    pub fn start(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("a folder for the relay");
        let relay = Self { dir, port };
        relay.start_again();
        relay
    }

    /// Starts it again after [`OwnMsrpRelay::stop`].
    pub fn start_again(&self) {
        assert!(
            self.script("start").success(),
            "scripts/peers/msrp-relay.sh start failed on port {} (is kamailio installed?)",
            self.port
        );
    }

    /// Stops it (the connections through it close).
    pub fn stop(&self) {
        assert!(self.script("stop").success(), "msrp-relay.sh stop failed");
    }

    /// Freezes it (SIGSTOP): its connections stay open, nothing is forwarded.
    pub fn freeze(&self) {
        assert!(
            self.script("freeze").success(),
            "msrp-relay.sh freeze failed"
        );
    }

    /// Kills it at once (SIGKILL), frozen or not, as a crash would: what it held is lost.
    pub fn crash(&self) {
        assert!(self.script("crash").success(), "msrp-relay.sh crash failed");
    }

    /// `msrp://127.0.0.1:<port>;tcp`.
    pub fn uri(&self) -> String {
        format!("msrp://127.0.0.1:{};tcp", self.port)
    }

    fn script(&self, action: &str) -> ExitStatus {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/peers/msrp-relay.sh");
        Command::new("bash")
            .arg(script)
            .arg(action)
            .env("WINK_PEERS_DIR", self.dir.path())
            .env("WINK_MSRP_RELAY_PORT", self.port.to_string())
            .status()
            .expect("bash runs")
    }
}

impl Drop for OwnMsrpRelay {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}

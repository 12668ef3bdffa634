//! The desktop app end to end: the real `wink` binary in a desktop session of its own
//! (Xvfb, D-Bus, gnome-keyring, AT-SPI: `scripts/gui-session.sh`), driven from outside
//! through the accessibility tree by the Python scripts in `tests/gui/`, against the test
//! kamailio and real baresips in the loopback-only namespace `make test` creates.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use wink_tests::baresip::Baresip;
use wink_tests::files::varied_file;

/// One desktop session at a time: Xvfb servers and the apps' D-Bus names stay apart.
static DESKTOP: Mutex<()> = Mutex::new(());

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn gui_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/gui")
        .join(name)
}

/// A home for the app with ALSA's null device as its sound card (no card in CI).
fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("a temporary home");
    std::fs::write(
        home.path().join(".asoundrc"),
        "pcm.!default { type null }\nctl.!default { type hw card 0 }\n",
    )
    .expect("the home takes an .asoundrc");
    home
}

/// The script that drives a running baresip.
fn baresip_ctl() -> String {
    workspace()
        .join("scripts/peers/baresip-ctl.py")
        .display()
        .to_string()
}

/// Writes a ready profile (settings, password, contacts) under `home`.
fn make_profile(home: &Path, profile: &wink_tests::profile::Profile) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(wink_tests::profile::make(home, profile))
        .unwrap_or_else(|error| panic!("the profile cannot be made: {error}"));
}

/// Where the scenarios' screenshots go (printed, kept after the run to be looked at;
/// emptied once when a test run starts, so nothing stale is looked at).
fn screenshots() -> PathBuf {
    static EMPTIED: std::sync::Once = std::sync::Once::new();
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    EMPTIED.call_once(|| {
        let _ = std::fs::remove_dir_all(&folder);
    });
    std::fs::create_dir_all(&folder).expect("the screenshot folder can be made");
    folder
}

/// Runs a GUI scenario script with `env` in its own desktop session; fails with its output.
fn run_scenario(script: &str, env: &[(&str, String)]) {
    let _one_at_a_time = DESKTOP.lock().unwrap_or_else(|e| e.into_inner());
    let screenshots = screenshots();
    println!("screenshots of {script}: {}", screenshots.display());
    let output = Command::new("bash")
        .arg(workspace().join("scripts/gui-session.sh"))
        .arg("/usr/bin/python3")
        .arg(gui_script(script))
        .env("WINK_BIN", env!("CARGO_BIN_EXE_wink"))
        .env("WINK_SCREENSHOTS", &screenshots)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("bash runs scripts/gui-session.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success() && stdout.contains("PASSED"),
        "the desktop scenario {script} failed:\n{stdout}\n{stderr}"
    );
}

#[test]
fn first_start_adds_an_account_then_calls_out_and_answers_a_call() {
    let kamailio = wink_tests::require_kamailio();
    let callee = Baresip::start(workspace(), "bob81", true);
    let caller = Baresip::start(workspace(), "carol81", false);
    let home = home();
    run_scenario(
        "first_start_and_calls.py",
        &[
            ("WINK_HOME", home.path().display().to_string()),
            ("WINK_ACCOUNT", "alice81@wink.test".into()),
            ("WINK_PASSWORD", "alice81-pw".into()),
            ("WINK_PROXY", kamailio),
            ("WINK_CALLEE", "bob81@wink.test".into()),
            ("WINK_CALLEE_LOG", callee.log_path().display().to_string()),
            ("WINK_CALLER_NAME", caller.name().to_owned()),
            ("WINK_CALLEE_NAME", callee.name().to_owned()),
            ("WINK_CTL", baresip_ctl()),
        ],
    );
}

#[test]
fn a_hundred_thousand_contacts_are_listed_searched_and_folded() {
    let kamailio = wink_tests::require_kamailio();
    let home = home();
    let profile = wink_tests::profile::Profile {
        contacts: 100_000,
        ..wink_tests::profile::Profile::for_user("alice82", kamailio)
    };
    make_profile(home.path(), &profile);
    run_scenario(
        "contacts_at_scale.py",
        &[("WINK_HOME", home.path().display().to_string())],
    );
}

/// A browser stand-in: the default handler of http: URLs in `home` writes each URL it is
/// given to `home/opened-urls` (GIO finds it through XDG_DATA_HOME and mimeapps.list).
fn fake_browser(home: &Path) -> PathBuf {
    let opened = home.join("opened-urls");
    let applications = home.join(".local/share/applications");
    std::fs::create_dir_all(&applications).expect("an applications folder");
    std::fs::write(
        applications.join("wink-test-browser.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Test browser\n\
             Exec=sh -c 'echo \"$1\" >> {}' sh %u\nMimeType=x-scheme-handler/http;\n",
            opened.display()
        ),
    )
    .expect("the browser's desktop file");
    let config = home.join(".config");
    std::fs::create_dir_all(&config).expect("a config folder");
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/http=wink-test-browser.desktop\n",
    )
    .expect("mimeapps.list");
    opened
}

#[test]
fn a_call_while_the_window_is_away_is_announced_answered_from_the_notification_and_missed_calls_said()
 {
    let kamailio = wink_tests::require_kamailio();
    let caller = Baresip::start(workspace(), "carol83", false);
    let home = home();
    let ring = home.path().join("ring.wav");
    let profile = wink_tests::profile::Profile {
        web_alert: Some("http://127.0.0.1:9/crm?caller=$caller_party&user=$caller_username".into()),
        ringing: Some(format!("file:{}", ring.display())),
        ..wink_tests::profile::Profile::for_user("alice83", kamailio)
    };
    make_profile(home.path(), &profile);
    let opened = fake_browser(home.path());
    run_scenario(
        "incoming_while_away.py",
        &[
            ("WINK_HOME", home.path().display().to_string()),
            ("WINK_ACCOUNT", "alice83@wink.test".into()),
            ("WINK_CALLER_NAME", caller.name().to_owned()),
            ("WINK_CALLER_LOG", caller.log_path().display().to_string()),
            ("WINK_OPENED_URLS", opened.display().to_string()),
            ("WINK_RING", ring.display().to_string()),
            ("WINK_CTL", baresip_ctl()),
        ],
    );
}

#[test]
fn audio_devices_are_chosen_in_the_menu_and_a_headset_plugged_in_is_offered() {
    let kamailio = wink_tests::require_kamailio();
    let home = home();
    let profile = wink_tests::profile::Profile::for_user("alice84", kamailio);
    make_profile(home.path(), &profile);
    run_scenario(
        "audio_devices.py",
        &[("WINK_HOME", home.path().display().to_string())],
    );
}

#[test]
fn an_account_that_opens_its_web_page_on_answer_opens_it_then() {
    let kamailio = wink_tests::require_kamailio();
    let caller = Baresip::start(workspace(), "carol85", false);
    let home = home();
    let profile = wink_tests::profile::Profile {
        web_alert: Some("http://127.0.0.1:9/crm?caller=$caller_party".into()),
        ..wink_tests::profile::Profile::for_user("alice85", kamailio)
    };
    make_profile(home.path(), &profile);
    let file = wink_config::ConfigFile::new(wink_tests::profile::paths(home.path()).config_file());
    let mut settings = file.load().expect("the profile's settings").settings;
    settings.accounts[0].web_alert_when = wink_domain::WebAlertMoment::Answered;
    file.save(&settings).expect("the settings are saved");
    let opened = fake_browser(home.path());
    run_scenario(
        "web_page_on_answer.py",
        &[
            ("WINK_HOME", home.path().display().to_string()),
            ("WINK_ACCOUNT", "alice85@wink.test".into()),
            ("WINK_CALLER_NAME", caller.name().to_owned()),
            ("WINK_OPENED_URLS", opened.display().to_string()),
            ("WINK_CTL", baresip_ctl()),
        ],
    );
}

/// The `wink-cli` binary built beside `wink` (`cargo test --workspace` builds it; a run of
/// this crate alone needs `cargo build -p wink-cli` first).
fn wink_cli() -> PathBuf {
    let cli = Path::new(env!("CARGO_BIN_EXE_wink")).with_file_name("wink-cli");
    assert!(
        cli.exists(),
        "the second party is a wink-cli process, and {} is not built: run `cargo build -p \
         wink-cli` (or the whole workspace's tests) first",
        cli.display()
    );
    cli
}

/// Puts one contact (`name`, `address`) in the profile's store under `home`.
fn add_contact(home: &Path, name: &str, address: &str) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let paths = wink_tests::profile::paths(home);
            let settings = wink_config::ConfigFile::new(paths.config_file())
                .load()
                .expect("the profile's settings")
                .settings;
            let opened = wink_config::open_store(&settings, &paths)
                .await
                .expect("the profile's store opens");
            let group = wink_ports::GroupRecord {
                id: wink_ports::GroupId::new("friends").expect("an id"),
                name: "Friends".into(),
                position: 0,
                collapsed: false,
            };
            opened
                .store
                .save_group(group.clone())
                .await
                .expect("the group is saved");
            let contact = wink_ports::ContactRecord {
                id: wink_ports::ContactId::new("peer").expect("an id"),
                name: name.into(),
                sip_addresses: vec![address.into()],
                ..wink_tests::profile::contact(0, &group.id)
            };
            opened
                .store
                .save_contact(contact)
                .await
                .expect("the contact is saved");
        });
}

/// The chat and file scenario (`tests/gui/chat_and_files.py`) with a wink-cli peer of its
/// own account; `part` says which half runs.
fn chat_and_files(user: &str, peer_user: &str, part: &str) {
    let kamailio = wink_tests::require_kamailio();
    let cli = wink_cli();
    let home = home();
    let profile = wink_tests::profile::Profile::for_user(user, kamailio.clone());
    make_profile(home.path(), &profile);
    // Received files go to a folder the profile names (not whatever $XDG_DOWNLOAD_DIR
    // the machine has).
    let downloads = home.path().join("Received files");
    let file = wink_config::ConfigFile::new(wink_tests::profile::paths(home.path()).config_file());
    let mut settings = file.load().expect("the profile's settings").settings;
    settings.downloads_dir = Some(downloads.clone());
    file.save(&settings).expect("the settings are saved");
    let peer_address = format!("{peer_user}@wink.test");
    add_contact(home.path(), "Bob Eighty-Six", &peer_address);
    // The second party: wink-cli with its own account, started by the scenario.
    let peer = wink_tests::Sandbox::new();
    let setup = |args: &[&str], stdin: &str| {
        let out = peer.run(cli.to_str().expect("a UTF-8 path"), args, stdin);
        assert!(
            out.status.success(),
            "wink-cli {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    setup(&["config", "secrets", "file"], "");
    let proxy = format!("{kamailio};transport=udp");
    setup(
        &[
            "account",
            "add",
            &peer_address,
            "--password-stdin",
            "--outbound-proxy",
            &proxy,
        ],
        &format!("{peer_user}-pw\n"),
    );
    // The file we send (big enough for the bar to be seen moving) and the one we get.
    let ours = home.path().join("holiday.mkv");
    varied_file(&ours, 200 << 20);
    let theirs = peer.root().join("minutes.pdf");
    varied_file(&theirs, 3 << 20);
    run_scenario(
        "chat_and_files.py",
        &[
            ("WINK_HOME", home.path().display().to_string()),
            ("WINK_ACCOUNT", format!("{user}@wink.test")),
            ("WINK_CLI", cli.display().to_string()),
            ("WINK_PEER", peer_address.clone()),
            ("WINK_PART", part.into()),
            ("WINK_PEER_NAME", "Bob Eighty-Six".into()),
            ("WINK_PEER_ROOT", peer.root().display().to_string()),
            ("WINK_PEER_CONFIG", peer.config_home().display().to_string()),
            ("WINK_PEER_DATA", peer.data_home().display().to_string()),
            ("WINK_OUR_FILE", ours.display().to_string()),
            ("WINK_THEIR_FILE", theirs.display().to_string()),
            ("WINK_DOWNLOADS", downloads.display().to_string()),
        ],
    );
}

#[test]
fn a_chat_and_a_file_to_a_wink_cli_peer_show_delivery_and_progress_and_arrive_whole() {
    chat_and_files("alice86", "bob86", "outgoing");
}

#[test]
fn an_offered_file_and_a_chat_invitation_are_accepted() {
    chat_and_files("alice87", "bob87", "incoming");
}

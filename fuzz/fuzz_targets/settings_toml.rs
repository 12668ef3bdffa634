//! The settings file on arbitrary bytes: never panics; what loads saves and loads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wink_config::Settings;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(settings) = toml::from_str::<Settings>(text) {
        let _ = settings.problems();
        let saved = toml::to_string(&settings).expect("loaded settings serialize");
        let again: Settings = toml::from_str(&saved).expect("saved settings load");
        assert_eq!(again, settings, "save/load round trip");
    }
});

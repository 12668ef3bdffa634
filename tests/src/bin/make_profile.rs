//! Makes a desktop-app profile for the benchmarks (`benches/gui.sh`): an account at the
//! test kamailio and, optionally, many contacts already in the store.
//!
//!     make-profile HOME ACCOUNT PASSWORD PROXY CONTACTS

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [home, account, password, proxy, contacts] = args.as_slice() else {
        eprintln!("usage: make-profile HOME ACCOUNT PASSWORD PROXY CONTACTS");
        std::process::exit(2);
    };
    let Ok(contacts) = contacts.parse() else {
        eprintln!("make-profile: CONTACTS must be a number, got {contacts:?}");
        std::process::exit(2);
    };
    let profile = wink_tests::profile::Profile {
        account: account.clone(),
        password: password.clone(),
        proxy: proxy.clone(),
        contacts,
        web_alert: None,
        ringing: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("a runtime: {e}"));
    if let Err(error) = runtime.block_on(wink_tests::profile::make(
        std::path::Path::new(home),
        &profile,
    )) {
        eprintln!("make-profile: {error}");
        std::process::exit(1);
    }
}

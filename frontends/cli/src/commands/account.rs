//! `account add|list|show|remove`.

use std::io::{IsTerminal, Read};

use anyhow::{Context as _, bail};
use wink_config::{AccountSettings, build_secret_store};
use wink_domain::{AccountAddress, OutboundProxy};
use wink_ports::{AccountId, Password};

use crate::cli::{AccountAdd, AccountCommand};
use crate::context::Context;

pub(super) async fn run(context: &mut Context, command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::Add(add) => add_account(context, add).await,
        AccountCommand::List => {
            list(context);
            Ok(())
        }
        AccountCommand::Show { address } => show(context, &address).await,
        AccountCommand::Remove { address } => remove(context, &address).await,
    }
}

fn read_password(address: &AccountAddress, from_stdin: bool) -> anyhow::Result<Password> {
    let secret = if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the password from standard input")?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        line.strip_suffix('\r').unwrap_or(line).to_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {address}: "))
            .context("cannot read the password")?
    } else {
        bail!("standard input is not a terminal: pass the password with --password-stdin");
    };
    if secret.is_empty() {
        bail!("the password is empty");
    }
    Ok(Password::new(secret))
}

async fn add_account(context: &mut Context, add: AccountAdd) -> anyhow::Result<()> {
    // Everything is validated before anything is stored: a bad value changes nothing.
    let address = AccountAddress::parse(&add.address)?;
    if context
        .settings
        .accounts
        .iter()
        .any(|a| a.address == address)
    {
        bail!("account {address} already exists; remove it first to change it");
    }
    let mut account = AccountSettings::new(address.clone());
    account.display_name = add.display_name;
    account.auth_username = add.auth_username;
    account.outbound_proxy = add
        .outbound_proxy
        .as_deref()
        .map(OutboundProxy::parse)
        .transpose()?;
    account.number_rules.plus_replacement = add.plus_replacement;
    account.number_rules.external_line_prefix = add.line_prefix;
    if let Some(delimiter) = add.dtmf_delimiter {
        account.number_rules.dtmf_delimiter = delimiter;
    }
    account.number_rules.validate()?;
    if let Some(relay) = add.msrp_relay {
        wink_config::check_msrp_relay(&relay).map_err(anyhow::Error::msg)?;
        account.msrp_relay = Some(relay);
    }
    account.contact_uses_username = add.contact_username;
    account.contact_public_address = add.contact_public_address;
    account.dtmf_method = match add.dtmf {
        crate::cli::DtmfChoice::Rfc4733 => wink_domain::DtmfMethod::Rfc4733,
        crate::cli::DtmfChoice::SipInfo => wink_domain::DtmfMethod::SipInfo,
    };
    if let Some(path) = add.tls_ca_file {
        anyhow::ensure!(
            path.is_file(),
            "the CA file {} does not exist",
            path.display()
        );
        account.tls_ca_file = Some(std::fs::canonicalize(&path).unwrap_or(path));
    }
    let id = account.id();
    let password = read_password(&address, add.password_stdin)?;

    let secrets = build_secret_store(&context.settings, &context.paths)
        .await
        .context("cannot reach the secret store (choose the file store on headless machines: 'config secrets file')")?;
    secrets
        .set_password(&id, &password)
        .await
        .context("cannot store the password")?;
    context.settings.accounts.push(account);
    if add.default || context.settings.default_account.is_none() {
        context.settings.default_account = Some(id.clone());
    }
    if let Err(error) = context.save() {
        // Do not leave a password behind for an account that was not saved.
        let _ = secrets.delete_password(&id).await;
        return Err(error);
    }
    println!("added account {address}");
    Ok(())
}

fn list(context: &Context) {
    if context.settings.accounts.is_empty() {
        println!("no accounts; add one with 'account add user@domain'");
        return;
    }
    for account in &context.settings.accounts {
        let is_default = context.settings.default_account.as_ref() == Some(&account.id());
        println!(
            "{}{}{}",
            account.address,
            if is_default { " (default)" } else { "" },
            if account.enabled { "" } else { " [disabled]" },
        );
    }
}

fn find<'a>(context: &'a Context, address: &str) -> anyhow::Result<&'a AccountSettings> {
    let address = AccountAddress::parse(address)?;
    context
        .settings
        .accounts
        .iter()
        .find(|a| a.address == address)
        .with_context(|| format!("there is no account {address}"))
}

async fn show(context: &Context, address: &str) -> anyhow::Result<()> {
    let account = find(context, address)?;
    println!("address:        {}", account.address);
    println!(
        "display name:   {}",
        account.display_name.as_deref().unwrap_or("-")
    );
    println!(
        "auth username:  {}",
        account
            .auth_username
            .as_deref()
            .unwrap_or(account.address.user())
    );
    println!("enabled:        {}", account.enabled);
    println!(
        "outbound proxy: {}",
        account
            .outbound_proxy
            .as_ref()
            .map_or("- (DNS discovery)".into(), ToString::to_string)
    );
    let rules = &account.number_rules;
    println!(
        "'+' becomes:    {}",
        rules.plus_replacement.as_deref().unwrap_or("+ (kept)")
    );
    println!(
        "line prefix:    {}",
        rules.external_line_prefix.as_deref().unwrap_or("-")
    );
    println!("DTMF delimiter: {}", rules.dtmf_delimiter);
    let stored = match build_secret_store(&context.settings, &context.paths).await {
        Ok(secrets) => match secrets.get_password(&account.id()).await {
            Ok(Some(_)) => "stored".to_owned(),
            Ok(None) => "not stored".to_owned(),
            Err(error) => format!("unknown ({error})"),
        },
        Err(error) => format!("unknown ({error})"),
    };
    println!(
        "password:       {stored} ({:?} store)",
        context.settings.secrets
    );
    Ok(())
}

async fn remove(context: &mut Context, address: &str) -> anyhow::Result<()> {
    let id: AccountId = find(context, address)?.id();
    context.settings.accounts.retain(|a| a.id() != id);
    if context.settings.default_account.as_ref() == Some(&id) {
        context.settings.default_account =
            context.settings.accounts.first().map(AccountSettings::id);
    }
    context.save()?;
    match build_secret_store(&context.settings, &context.paths).await {
        Ok(secrets) => {
            if let Err(error) = secrets.delete_password(&id).await {
                eprintln!("warning: the password of {id} could not be deleted: {error}");
            }
        }
        Err(error) => eprintln!("warning: the password of {id} could not be deleted: {error}"),
    }
    println!("removed account {id}");
    Ok(())
}

//! `rewrite`: what a target dials from an account, after the number rules.

use anyhow::Context as _;
use wink_domain::{DtmfStep, Target};
use wink_ports::AccountId;

use crate::context::Context;

pub(super) fn run(context: &Context, account: Option<&str>, typed: &str) -> anyhow::Result<()> {
    let phone = wink_config::phone_settings(&context.settings, &context.paths);
    let wanted = account
        .map(AccountId::new)
        .transpose()
        .context("invalid account name")?
        .or(phone.default_account.clone());
    let chosen = match &wanted {
        Some(id) => phone
            .accounts
            .iter()
            .find(|a| &a.id == id)
            .with_context(|| format!("there is no account {id}"))?,
        None => phone
            .accounts
            .first()
            .context("no account is configured: add one with 'account add'")?,
    };
    let resolved = Target::parse(typed)?.resolve(chosen)?;
    println!("{}", resolved.uri);
    if !resolved.dtmf_tail.is_empty() {
        let tail: String = resolved
            .dtmf_tail
            .iter()
            .map(|step| match step {
                DtmfStep::Key(digit) => digit.to_char(),
                DtmfStep::Pause => ',',
            })
            .collect();
        println!("dtmf after connect: {tail}");
    }
    Ok(())
}

//! Interactive mode: the same commands, read line by line from standard input.

use std::io::{BufRead, IsTerminal, Write};

use clap::Parser;

use crate::cli::Cli;
use crate::commands;
use crate::context::Context;

const HELP: &str = "Commands: account ..., contacts ..., rewrite ..., config ... (add --help to any).\n\
                    Type 'quit' to leave.";

/// Splits a line into words, honouring double and single quotes.
fn split_words(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed");
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

pub(crate) async fn run(context: &mut Context) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let prompt = stdin.is_terminal();
    if prompt {
        println!("Wink interactive mode. {HELP}");
    }
    let mut lines = stdin.lock().lines();
    loop {
        if prompt {
            print!("wink> ");
            std::io::stdout().flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let words = match split_words(&line) {
            Ok(words) => words,
            Err(problem) => {
                eprintln!("error: {problem}");
                continue;
            }
        };
        match words.first().map(String::as_str) {
            None => continue,
            Some("quit" | "exit") => break,
            Some("help") => {
                println!("{HELP}");
                continue;
            }
            Some(_) => {}
        }
        let parsed = Cli::try_parse_from(std::iter::once("wink-cli".to_owned()).chain(words));
        match parsed {
            Ok(Cli { command, .. }) => {
                if let Err(error) = commands::run(context, command).await {
                    eprintln!("error: {error:#}");
                }
            }
            // Help and usage errors print themselves, as on the command line.
            Err(error) => {
                let _ = error.print();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn splits_with_quotes() {
        assert_eq!(
            split_words(r#"contacts add "Ann Lee" --address 'ann@x.org'  "#).unwrap(),
            ["contacts", "add", "Ann Lee", "--address", "ann@x.org"]
        );
        assert_eq!(split_words(r#"x """#).unwrap(), ["x", ""]);
        assert!(split_words("say \"hi").is_err());
    }
}

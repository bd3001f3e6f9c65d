use super::Failure;
use crate::core::check::Rule;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// Every rule with its id, default severity and what it looks for.
pub fn run(_: Args) -> Result<(), Failure> {
    print!("{}", listing());
    Ok(())
}

pub fn listing() -> String {
    let width = Rule::ALL.iter().map(|r| r.id().len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in Rule::ALL {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n{:width$}           e.g. {}\n",
            rule.id(),
            rule.default_severity().as_str(),
            rule.summary(),
            "",
            rule.example()
        ));
    }
    out
}

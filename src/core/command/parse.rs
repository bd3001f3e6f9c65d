//! Reading a command line into a [`Command`], without looking at a design.

use std::path::PathBuf;

use super::lex::{self, Word};
use super::{Command, CommandError, DesignCommand, usage};
use crate::core::model::{DefaultValue, ReferentialAction, SqlType};

/// Reads one command line; the leading `:` is optional.
pub fn parse(line: &str) -> Result<Command, CommandError> {
    let line = line.trim();
    let line = line.strip_prefix(':').unwrap_or(line).trim_start();
    let words = lex::words(line)?;
    let Some((first, rest)) = words.split_first() else {
        return Err(CommandError::new(
            "empty command; try :entity, :field, :rel, :index, :undo, :redo, :w, :q or :apply",
        ));
    };
    let head = first.text.to_ascii_lowercase();
    match head.as_str() {
        "entity" | "field" | "rel" | "index" => {
            let Some((sub, args)) = rest.split_first() else {
                return Err(usage(&head));
            };
            let sub = sub.text.to_ascii_lowercase();
            let key = format!("{head} {sub}");
            design_command(&key, args).map(Command::Edit)
        }
        "undo" | "u" => none_after(rest, Command::Undo, "undo"),
        "redo" => none_after(rest, Command::Redo, "redo"),
        "w" | "write" => match rest {
            [] => Ok(Command::Write(None)),
            [file] => Ok(Command::Write(Some(PathBuf::from(&file.text)))),
            _ => Err(usage("w")),
        },
        "q" | "quit" => none_after(rest, Command::Quit { force: false }, "q"),
        "q!" | "quit!" => none_after(rest, Command::Quit { force: true }, "q"),
        "wq" | "x" => none_after(rest, Command::WriteQuit, "q"),
        "apply" => none_after(
            rest,
            Command::Apply {
                allow_destructive: false,
            },
            "apply",
        ),
        "apply!" => none_after(
            rest,
            Command::Apply {
                allow_destructive: true,
            },
            "apply",
        ),
        _ => Err(CommandError::new(format!(
            "unknown command `{}`; try :entity, :field, :rel, :index, :undo, :redo, :w, :q or :apply",
            first.text
        ))),
    }
}

fn none_after(rest: &[Word], command: Command, name: &str) -> Result<Command, CommandError> {
    match rest {
        [] => Ok(command),
        [extra, ..] => Err(CommandError::new(format!(
            "`:{name}` takes nothing after it, found `{}`",
            extra.text
        ))),
    }
}

fn design_command(key: &str, args: &[Word]) -> Result<DesignCommand, CommandError> {
    // `:index add events(at)`: the field list may touch the entity's name.
    if key == "index add"
        && let Some((first, rest)) = args.split_first()
        && let Some(open) = first.text.find('(')
        && open > 0
    {
        let mut split = vec![
            Word {
                text: first.text[..open].to_owned(),
            },
            Word {
                text: first.text[open..].to_owned(),
            },
        ];
        split.extend(rest.iter().cloned());
        return design_command_words(key, &split);
    }
    design_command_words(key, args)
}

fn design_command_words(key: &str, args: &[Word]) -> Result<DesignCommand, CommandError> {
    let bad = || usage(key);
    let name = |w: &Word| lex::name(&w.text);
    Ok(match (key, args) {
        ("entity add", [n]) => DesignCommand::EntityAdd { name: name(n)? },
        ("entity rename", [old, new]) => DesignCommand::EntityRename {
            old: name(old)?,
            new: name(new)?,
        },
        ("entity drop", [n]) => DesignCommand::EntityDrop { name: name(n)? },
        ("field add", [target, rest @ ..]) if !rest.is_empty() => field_add(target, rest)?,
        ("field drop", [target]) => {
            let (entity, field) = lex::qualified(&target.text)?;
            DesignCommand::FieldDrop { entity, field }
        }
        ("field rename", [target, new]) => {
            let (entity, old) = lex::qualified(&target.text)?;
            DesignCommand::FieldRename {
                entity,
                old,
                new: name(new)?,
            }
        }
        ("rel add", [target, arrow, to, rest @ ..]) if arrow.text == "->" => {
            let (entity, field) = lex::qualified(&target.text)?;
            DesignCommand::RelAdd {
                entity,
                field,
                target: name(to)?,
                on_delete: on_delete(rest, key)?,
            }
        }
        ("rel m2m", [left, right]) => DesignCommand::RelManyToMany {
            left: name(left)?,
            right: name(right)?,
        },
        ("index add", [entity, fields, rest @ ..]) => {
            let unique = match rest {
                [] => false,
                [u] if u.is("unique") => true,
                _ => return Err(bad()),
            };
            let fields = lex::name_list(&fields.text)?;
            DesignCommand::IndexAdd {
                entity: name(entity)?,
                fields,
                unique,
            }
        }
        (
            "entity add" | "entity rename" | "entity drop" | "field add" | "field drop"
            | "field rename" | "rel add" | "rel m2m" | "index add",
            _,
        ) => return Err(bad()),
        _ => {
            let head = key.split(' ').next().unwrap_or(key);
            let subs = match head {
                "entity" => "add, rename or drop",
                "field" => "add, drop or rename",
                "rel" => "add or m2m",
                _ => "add",
            };
            return Err(CommandError::new(format!(
                "`:{key}` is not a command; `:{head}` takes {subs}"
            )));
        }
    })
}

const OPTIONS: [&str; 4] = ["not", "null", "unique", "default"];

/// `ENTITY.FIELD TYPE [not null] [unique] [default EXPR]`; the type may be
/// several words (`double precision`, `timestamp with time zone`).
fn field_add(target: &Word, rest: &[Word]) -> Result<DesignCommand, CommandError> {
    let (entity, field) = lex::qualified(&target.text)?;
    let type_words = rest
        .iter()
        .take_while(|w| !OPTIONS.iter().any(|o| w.is(o)))
        .count();
    if type_words == 0 {
        return Err(usage("field add"));
    }
    let written: Vec<&str> = rest[..type_words].iter().map(|w| w.text.as_str()).collect();
    let ty = SqlType::parse(&written.join(" ")).map_err(|e| CommandError::new(e.to_string()))?;
    let (mut not_null, mut unique, mut default) = (false, false, None);
    let mut options = rest[type_words..].iter();
    while let Some(word) = options.next() {
        if word.is("not") {
            match options.next() {
                Some(n) if n.is("null") => not_null = true,
                _ => return Err(CommandError::new("`not` must be followed by `null`")),
            }
        } else if word.is("null") {
            not_null = false;
        } else if word.is("unique") {
            unique = true;
        } else if word.is("default") {
            let Some(expr) = options.next() else {
                return Err(CommandError::new(
                    "`default` needs a value: an expression such as now() or 0, or a 'quoted string'",
                ));
            };
            default = Some(default_value(&expr.text)?);
        } else {
            return Err(CommandError::new(format!(
                "unexpected `{}`; after the type come not null, unique and default EXPR",
                word.text
            )));
        }
    }
    Ok(DesignCommand::FieldAdd {
        entity,
        field,
        ty,
        not_null,
        unique,
        default,
    })
}

/// `'text'` is a string literal plinth quotes; anything else must be one
/// SQL expression.
fn default_value(raw: &str) -> Result<DefaultValue, CommandError> {
    let shown = || raw.trim().to_owned();
    match DefaultValue::read(raw) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(CommandError::new("`default` needs a value")),
        Err(e) => Err(CommandError::new(format!(
            "default `{}`: {}",
            shown(),
            e.describe()
        ))),
    }
}

fn on_delete(words: &[Word], key: &str) -> Result<Option<ReferentialAction>, CommandError> {
    let [on, delete, action @ ..] = words else {
        return match words {
            [] => Ok(None),
            _ => Err(usage(key)),
        };
    };
    if !(on.is("on") && delete.is("delete")) {
        return Err(usage(key));
    }
    let action: Vec<String> = action.iter().map(|w| w.text.to_ascii_lowercase()).collect();
    let action = match action.join(" ").as_str() {
        "cascade" => ReferentialAction::Cascade,
        "restrict" => ReferentialAction::Restrict,
        "set null" => ReferentialAction::SetNull,
        "set default" => ReferentialAction::SetDefault,
        "no action" => ReferentialAction::NoAction,
        "" => {
            return Err(CommandError::new(
                "`on delete` needs an action: cascade, restrict, set null or no action",
            ));
        }
        other => {
            return Err(CommandError::new(format!(
                "on delete takes cascade, restrict, set null or no action, not `{other}`"
            )));
        }
    };
    Ok(Some(action))
}

use super::*;
use crate::core::check::{Rule, check};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Field};
use crate::core::starter::starter_design;

/// A design with `users` (the starter) and the edits the lines make.
fn design_after(lines: &[&str]) -> Design {
    let mut ids = IdGen::seeded(11);
    let mut design = starter_design("app", &mut ids);
    for line in lines {
        run(&mut design, &mut ids, line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    assert_eq!(design.validate(), vec![]);
    design
}

/// Parses, builds and applies one design command; the error as the user
/// would read it.
fn run(design: &mut Design, ids: &mut IdGen, line: &str) -> Result<(), String> {
    let Command::Edit(command) = parse(line).map_err(|e| e.to_string())? else {
        panic!("{line} is not a design command");
    };
    let edit = command.to_edit(design, ids).map_err(|e| e.to_string())?;
    edit.apply(design).map(|_| ()).map_err(|e| e.to_string())
}

fn error(lines: &[&str], last: &str) -> String {
    let mut design = design_after(lines);
    let before = design.clone();
    let message = run(&mut design, &mut IdGen::seeded(12), last).expect_err(last);
    assert_eq!(design, before, "a refused command changes nothing");
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

fn entity<'d>(design: &'d Design, name: &str) -> &'d Entity {
    design.entity_named(name).unwrap()
}

fn field<'d>(design: &'d Design, path: &str) -> &'d Field {
    let (e, f) = path.split_once('.').unwrap();
    entity(design, e).field_named(f).unwrap()
}

fn field_names(e: &Entity) -> Vec<&str> {
    e.fields.iter().map(|f| f.name.as_str()).collect()
}

fn rules(design: &Design) -> Vec<Rule> {
    check(design, &design.checks, &mut IdGen::seeded(1))
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn app_commands() {
    assert_eq!(parse(":undo"), Ok(Command::Undo));
    assert_eq!(parse("redo"), Ok(Command::Redo));
    assert_eq!(parse(":w"), Ok(Command::Write(None)));
    assert_eq!(
        parse(":w copy.ron"),
        Ok(Command::Write(Some("copy.ron".into())))
    );
    assert_eq!(parse(":q"), Ok(Command::Quit { force: false }));
    assert_eq!(parse(":q!"), Ok(Command::Quit { force: true }));
    assert_eq!(parse(" : wq "), Ok(Command::WriteQuit));
    assert_eq!(
        parse(":apply"),
        Ok(Command::Apply {
            allow_destructive: false
        })
    );
    assert_eq!(
        parse(":apply!"),
        Ok(Command::Apply {
            allow_destructive: true
        })
    );
    assert_eq!(
        parse(":q now").unwrap_err().to_string(),
        "`:q` takes nothing after it, found `now`"
    );
    assert_eq!(
        parse(":frobnicate").unwrap_err().to_string(),
        "unknown command `frobnicate`; try :entity, :field, :rel, :index, :undo, :redo, :w, :q or :apply"
    );
    assert!(
        parse(":")
            .unwrap_err()
            .to_string()
            .starts_with("empty command")
    );
}

#[test]
fn entity_add_follows_the_house_style() {
    let d = design_after(&[":entity add customers"]);
    let c = entity(&d, "customers");
    assert_eq!(field_names(c), ["id", "created_at", "updated_at"]);
    assert_eq!(field(&d, "customers.id").ty, SqlType::Uuid);
    assert_eq!(
        field(&d, "customers.id").default,
        Some(DefaultValue::Expr("gen_random_uuid()".into()))
    );
    assert!(c.is_primary_key(&[c.fields[0].id.clone()]));
    assert_eq!(d.entities().last().unwrap().name, "customers");
    assert!(!rules(&d).contains(&Rule::MissingTimestamps));

    assert_eq!(
        error(&[], ":entity add users"),
        "entity `users` exists already"
    );
    assert_eq!(error(&[], ":entity add"), "usage: :entity add NAME");
    assert_eq!(error(&[], ":entity add a b"), "usage: :entity add NAME");
}

#[test]
fn entity_rename_and_drop() {
    let d = design_after(&[":entity add people", ":entity rename people persons"]);
    assert!(d.entity_named("people").is_none());
    assert!(d.entity_named("persons").is_some());

    let d = design_after(&[
        ":entity add orders",
        ":rel add orders.user_id -> users on delete cascade",
        ":entity drop users",
    ]);
    assert!(d.entity_named("users").is_none());
    assert_eq!(d.relationship_count(), 0, "its foreign keys go with it");

    assert_eq!(
        error(&[], ":entity drop usrs"),
        "no entity named `usrs`; did you mean `users`?"
    );
    assert_eq!(
        error(&[":entity add orders"], ":entity rename orders users"),
        "entity `users` exists already"
    );
    assert_eq!(
        error(&[], ":entity rename users"),
        "usage: :entity rename OLD NEW"
    );
    assert_eq!(
        error(&[], ":entity remove users"),
        "`:entity remove` is not a command; `:entity` takes add, rename or drop"
    );
}

#[test]
fn field_add_with_options_goes_before_the_timestamps() {
    let d = design_after(&[
        ":entity add customers",
        ":field add customers.email varchar(255) not null unique",
        ":field add customers.status text default 'active' not null",
        ":field add customers.score double precision default 0",
        ":field add customers.born timestamp with time zone null",
    ]);
    let c = entity(&d, "customers");
    assert_eq!(
        field_names(c),
        [
            "id",
            "email",
            "status",
            "score",
            "born",
            "created_at",
            "updated_at"
        ]
    );
    let email = field(&d, "customers.email");
    assert_eq!(email.ty, SqlType::Varchar(Some(255)));
    assert!(email.not_null);
    assert!(c.is_unique_over(std::slice::from_ref(&email.id)));
    let status = field(&d, "customers.status");
    assert_eq!(status.default, Some(DefaultValue::Text("active".into())));
    assert!(status.not_null);
    assert_eq!(field(&d, "customers.score").ty, SqlType::Double);
    assert_eq!(
        field(&d, "customers.score").default,
        Some(DefaultValue::Expr("0".into()))
    );
    assert_eq!(field(&d, "customers.born").ty, SqlType::Timestamptz);
    assert!(!field(&d, "customers.born").not_null);
}

#[test]
fn field_add_defaults_can_be_strings_or_grouped_expressions() {
    let d = design_after(&[
        ":entity add t",
        ":field add t.note text default 'it''s'",
        ":field add t.due timestamptz default (now() + interval '1 day')",
    ]);
    assert_eq!(
        field(&d, "t.note").default,
        Some(DefaultValue::Text("it's".into()))
    );
    assert_eq!(
        field(&d, "t.due").default,
        Some(DefaultValue::Expr("(now() + interval '1 day')".into()))
    );
}

#[test]
fn field_add_errors() {
    assert_eq!(
        error(&[], ":field add users.email text"),
        "`users` has a field `email` already"
    );
    assert_eq!(
        error(&[], ":field add users.age"),
        "usage: :field add ENTITY.FIELD TYPE [not null] [unique] [default EXPR]"
    );
    assert_eq!(
        error(&[], ":field add users age int"),
        "`users` names no field; write ENTITY.FIELD, e.g. orders.customer_id"
    );
    assert_eq!(
        error(&[], ":field add users.age int not"),
        "`not` must be followed by `null`"
    );
    assert_eq!(
        error(&[], ":field add users.age int default"),
        "`default` needs a value: an expression such as now() or 0, or a 'quoted string'"
    );
    assert!(error(&[], ":field add users.age numeric(a)").starts_with("unknown type `numeric(a)`"));
    assert_eq!(
        error(&[], ":field add users.age strng"),
        "type `strng` of `users.age` is neither a built-in type nor an enum of this design"
    );
    assert_eq!(
        error(&[], ":field add usres.age int"),
        "no entity named `usres`; did you mean `users`?"
    );
    assert_eq!(
        error(&[], ":field add users.age int default 0 frobs"),
        "unexpected `frobs`; after the type come not null, unique and default EXPR"
    );
}

#[test]
fn field_drop_and_rename() {
    let d = design_after(&[
        ":field add users.nick text",
        ":field rename users.nick nickname",
    ]);
    assert!(entity(&d, "users").field_named("nickname").is_some());
    let d = design_after(&[":field drop users.email"]);
    assert!(entity(&d, "users").field_named("email").is_none());
    assert!(
        entity(&d, "users").uniques.is_empty(),
        "its unique constraint goes too"
    );

    assert_eq!(
        error(&[], ":field drop users.emial"),
        "`users` has no field `emial`; did you mean `email`?"
    );
    assert_eq!(
        error(&[], ":field drop users"),
        "`users` names no field; write ENTITY.FIELD, e.g. orders.customer_id"
    );
    assert_eq!(
        error(&[], ":field rename users.email id"),
        "`users` has a field `id` already"
    );
}

#[test]
fn rel_add_creates_the_key_field_and_its_index() {
    let d = design_after(&[
        ":entity add orders",
        ":field add orders.total numeric(12,2) not null",
        ":rel add orders.user_id -> users on delete cascade",
    ]);
    let orders = entity(&d, "orders");
    assert_eq!(
        field_names(orders),
        ["id", "user_id", "total", "created_at", "updated_at"],
        "the key field follows the primary key"
    );
    let user_id = field(&d, "orders.user_id");
    assert_eq!(user_id.ty, SqlType::Uuid);
    assert!(user_id.not_null);
    assert_eq!(orders.indexes.len(), 1);
    assert_eq!(orders.indexes[0].fields, std::slice::from_ref(&user_id.id));
    let rel = d.relationships_from(&orders.id)[0];
    assert_eq!(rel.to, entity(&d, "users").id);
    assert_eq!(rel.on_delete, Some(ReferentialAction::Cascade));
    assert!(rel.required);
    let found = rules(&d);
    assert!(!found.contains(&Rule::FkMissingIndex), "{found:?}");
    assert!(!found.contains(&Rule::CascadeUnspecified), "{found:?}");
}

#[test]
fn rel_add_actions_and_existing_fields() {
    let d = design_after(&[
        ":entity add categories",
        ":rel add categories.parent_id -> categories on delete set null",
    ]);
    assert!(!field(&d, "categories.parent_id").not_null);

    let d = design_after(&[
        ":entity add posts",
        ":field add posts.author uuid not null",
        ":index add posts (author)",
        ":rel add posts.author->users on delete restrict",
    ]);
    let posts = entity(&d, "posts");
    assert_eq!(posts.indexes.len(), 1, "the existing index is enough");
    let rel = d.relationships_from(&posts.id)[0];
    assert_eq!(rel.on_delete, Some(ReferentialAction::Restrict));

    let d = design_after(&[
        ":entity add a",
        ":rel add a.user_id -> users on delete no action",
    ]);
    let a = entity(&d, "a");
    assert_eq!(
        d.relationships_from(&a.id)[0].on_delete,
        Some(ReferentialAction::NoAction)
    );
    let d = design_after(&[":entity add b", ":rel add b.user_id -> users"]);
    let b = entity(&d, "b");
    assert_eq!(d.relationships_from(&b.id)[0].on_delete, None);
    assert!(rules(&d).contains(&Rule::CascadeUnspecified));
}

#[test]
fn rel_add_errors() {
    assert_eq!(
        error(&[":entity add a"], ":rel add a.user_id users"),
        "usage: :rel add ENTITY.FIELD -> TARGET [on delete cascade|restrict|set null|no action]"
    );
    assert_eq!(
        error(
            &[":entity add a"],
            ":rel add a.user_id -> users on delete explode"
        ),
        "on delete takes cascade, restrict, set null or no action, not `explode`"
    );
    assert_eq!(
        error(&[":entity add a"], ":rel add a.user_id -> users on delete"),
        "`on delete` needs an action: cascade, restrict, set null or no action"
    );
    assert_eq!(
        error(
            &[":entity add a"],
            ":rel add a.id -> users on delete set null"
        ),
        "on delete set null needs `a.id` to allow NULL; it is NOT NULL"
    );
    assert_eq!(
        error(
            &[
                ":entity add a",
                ":rel add a.user_id -> users on delete cascade"
            ],
            ":rel add a.user_id -> users"
        ),
        "`a.user_id` references `users` already"
    );
    assert_eq!(
        error(
            &[
                ":entity add a",
                ":field add a.code text not null",
                ":entity add b"
            ],
            ":rel add a.code -> b"
        ),
        "foreign key `a_code_fkey`: `a.code` is text but `b.id` is uuid; PostgreSQL cannot compare them"
    );
}

#[test]
fn rel_m2m_creates_a_keyed_junction() {
    let d = design_after(&[":entity add tags", ":rel m2m users tags"]);
    let j = entity(&d, "users_tags");
    assert!(j.junction);
    assert_eq!(
        field_names(j),
        ["user_id", "tag_id", "created_at", "updated_at"]
    );
    assert!(j.is_primary_key(&[j.fields[0].id.clone(), j.fields[1].id.clone()]));
    assert_eq!(j.indexes.len(), 1);
    assert_eq!(j.indexes[0].fields, [j.fields[1].id.clone()]);
    let rels = d.relationships_from(&j.id);
    assert_eq!(rels.len(), 2);
    assert!(
        rels.iter()
            .all(|r| r.on_delete == Some(ReferentialAction::Cascade) && r.required)
    );
    let found = rules(&d);
    for rule in [
        Rule::JunctionWithoutKey,
        Rule::FkMissingIndex,
        Rule::CascadeUnspecified,
    ] {
        assert!(!found.contains(&rule), "{rule:?} in {found:?}");
    }

    assert_eq!(
        error(
            &[":entity add tags", ":rel m2m users tags"],
            ":rel m2m users tags"
        ),
        "entity `users_tags` exists already"
    );
    assert_eq!(
        error(&[], ":rel m2m users users"),
        "a many-to-many needs two different entities; link an entity to itself with :rel add"
    );
    assert_eq!(
        error(&[":entity add tags"], ":rel m2m users"),
        "usage: :rel m2m LEFT RIGHT"
    );
}

#[test]
fn index_add() {
    let d = design_after(&[
        ":entity add events",
        ":field add events.kind text not null",
        ":field add events.at timestamptz not null",
        ":index add events (kind, at)",
        ":index add events(at) unique",
    ]);
    let e = entity(&d, "events");
    assert_eq!(e.indexes.len(), 2);
    assert_eq!(e.field_names(&e.indexes[0].fields), ["kind", "at"]);
    assert!(!e.indexes[0].unique);
    assert!(e.indexes[1].unique);

    assert_eq!(
        error(&[], ":index add users (emial)"),
        "`users` has no field `emial`; did you mean `email`?"
    );
    assert_eq!(
        error(&[], ":index add users email"),
        "expected a field list like (a, b), not `email`"
    );
    assert_eq!(
        error(&[], ":index add users (email) sorted"),
        "usage: :index add ENTITY (FIELD, ...) [unique]"
    );
    assert_eq!(
        error(&[":index add users (email)"], ":index add users (email)"),
        "`users` has that index already: users_email_idx"
    );
}

#[test]
fn each_design_command_is_one_undo_step() {
    let mut ids = IdGen::seeded(5);
    let mut design = starter_design("app", &mut ids);
    let original = design.clone();
    let mut inverses = Vec::new();
    for line in [
        ":entity add orders",
        ":rel add orders.user_id -> users on delete cascade",
        ":field add orders.note text unique",
        ":entity add tags",
        ":rel m2m orders tags",
        ":index add orders (note, user_id)",
        ":field rename orders.note remark",
        ":entity rename tags labels",
        ":field drop orders.user_id",
        ":entity drop labels",
    ] {
        let Command::Edit(c) = parse(line).unwrap() else {
            unreachable!()
        };
        let edit = c.to_edit(&design, &mut ids).unwrap();
        inverses.push(
            edit.apply(&mut design)
                .unwrap_or_else(|e| panic!("{line}: {e}")),
        );
    }
    for inverse in inverses.into_iter().rev() {
        inverse.apply(&mut design).unwrap();
    }
    assert_eq!(design, original);
}

#[test]
fn focus_names_what_changed() {
    let focus = |line: &str| match parse(line).unwrap() {
        Command::Edit(c) => c.focus(),
        _ => unreachable!(),
    };
    assert_eq!(focus(":entity add a"), Some(("a".into(), None)));
    assert_eq!(focus(":entity drop a"), None);
    assert_eq!(
        focus(":field rename a.b c"),
        Some(("a".into(), Some("c".into())))
    );
    assert_eq!(focus(":rel m2m a b"), Some(("a_b".into(), None)));
}

#[test]
fn completion_by_position() {
    let d = design_after(&[":entity add orders", ":entity add order_lines"]);
    let c = |line: &str| complete(line, &d).candidates;
    assert_eq!(c(":en"), ["entity"]);
    assert_eq!(c(":field "), ["add", "drop", "rename"]);
    assert_eq!(c(":entity drop ord"), ["orders", "order_lines"]);
    assert_eq!(c(":field add or"), ["orders.", "order_lines."]);
    assert_eq!(c(":field add orders."), Vec::<String>::new());
    assert_eq!(c(":field drop users.e"), ["users.email"]);
    assert_eq!(c(":field add orders.x times"), ["timestamptz", "timestamp"]);
    assert_eq!(c(":field add orders.x text no"), ["not"]);
    assert_eq!(c(":rel add orders.user_id "), ["->"]);
    assert_eq!(c(":rel add orders.user_id -> u"), ["users"]);
    assert_eq!(c(":rel add orders.user_id -> users on delete s"), ["set"]);
    assert_eq!(c(":rel m2m orders "), ["users", "orders", "order_lines"]);
    assert_eq!(c(":index add users (id, em"), ["email"]);
    assert_eq!(c(":index add users(cr"), ["created_at"]);

    let line = ":entity drop ord";
    let done = complete(line, &d);
    assert_eq!(&line[..done.start], ":entity drop ");
    let line = ":index add users (id, em";
    assert_eq!(&line[..complete(line, &d).start], ":index add users (id, ");
}

#[test]
fn usage_lists_every_command() {
    for (usage, what) in USAGE {
        assert!(usage.starts_with(':'));
        assert!(!what.is_empty());
    }
}

//! Forms, driven through `App::update` by keys as a user types them:
//! each produces one undo step, refuses what is wrong with a message
//! beside the input, and follows the house style the `:` commands follow.

use std::path::Path;

use insta::assert_snapshot;
use plinth::core::ids::IdGen;
use plinth::core::model::{DefaultValue, ReferentialAction, RelationshipKind, SqlType};
use plinth::tui::{App, Mode, Msg, Opened, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn open(name: &str) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name);
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::with_ids(Opened::new(path, design), IdGen::seeded(1));
    app.update(Msg::Resize(80, 24));
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn tab(app: &mut App, times: usize) {
    for _ in 0..times {
        press(app, KeyCode::Tab);
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| view::draw(app, frame)).unwrap();
    format!("{}", terminal.backend())
}

fn in_form(app: &App) -> bool {
    matches!(app.mode(), Mode::Form(_))
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

/// Selects an entity by name through the filter.
fn select(app: &mut App, name: &str) {
    keys(app, "/");
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    keys(app, name);
    press(app, KeyCode::Enter);
    assert_eq!(app.selected_entity().unwrap().name, name);
}

#[test]
fn add_entity_form() {
    let mut app = open("shop.ron");
    keys(&mut app, "a");
    assert!(in_form(&app));
    assert_snapshot!("add_entity_empty", screen(&app));

    // Enter on an empty name says why and stays.
    press(&mut app, KeyCode::Enter);
    assert!(in_form(&app));
    assert!(screen(&app).contains("a name is needed"));
    keys(&mut app, "customers");
    assert!(screen(&app).contains("an entity named `customers` exists already"));
    assert_snapshot!("add_entity_name_taken", screen(&app));

    for _ in 0.."customers".len() {
        press(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "wishlists");
    tab(&mut app, 1);
    keys(&mut app, "What a customer would like to buy.");
    press(&mut app, KeyCode::Enter);
    assert!(!in_form(&app), "{}", screen(&app));
    let e = app.selected_entity().unwrap();
    assert_eq!(e.name, "wishlists");
    assert_eq!(
        e.comment.as_deref(),
        Some("What a customer would like to buy.")
    );
    let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "created_at", "updated_at"]);
    keys(&mut app, "u");
    assert!(app.design().entity_named("wishlists").is_none(), "one step");
    assert!(!app.is_modified());

    // Without the starting fields.
    keys(&mut app, "a");
    keys(&mut app, "notes");
    tab(&mut app, 2);
    keys(&mut app, " ");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.design().entity_named("notes").unwrap().fields.len(), 0);
}

#[test]
fn edit_entity_form() {
    let mut app = open("shop.ron");
    keys(&mut app, "e");
    assert_snapshot!("edit_entity", screen(&app));
    press(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), "nothing changed");
    keys(&mut app, "e");
    keys(&mut app, "_v2");
    press(&mut app, KeyCode::Enter);
    assert!(app.design().entity_named("customers_v2").is_some());
}

#[test]
fn add_field_form() {
    let mut app = open("shop.ron");
    keys(&mut app, "l");
    keys(&mut app, "a");
    keys(&mut app, "nickname");
    tab(&mut app, 1);
    keys(&mut app, "varchar(x)");
    assert_snapshot!("add_field_bad_type", screen(&app));
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "60)");
    tab(&mut app, 1);
    keys(&mut app, " ");
    tab(&mut app, 1);
    keys(&mut app, " ");
    tab(&mut app, 1);
    keys(&mut app, "'anon'");
    tab(&mut app, 1);
    keys(&mut app, "Shown instead of the name.");
    assert_snapshot!("add_field_filled", screen(&app));
    press(&mut app, KeyCode::Enter);
    assert!(!in_form(&app), "{}", screen(&app));
    let e = app.design().entity_named("customers").unwrap();
    let f = e.field_named("nickname").unwrap();
    assert_eq!(f.ty, SqlType::Varchar(Some(60)));
    assert!(f.not_null);
    assert_eq!(f.default, Some(DefaultValue::Text("anon".into())));
    assert_eq!(f.comment.as_deref(), Some("Shown instead of the name."));
    assert!(e.is_unique_over(std::slice::from_ref(&f.id)));
    assert_eq!(
        app.selected_entity().unwrap().fields[app_field(&app)].name,
        "nickname"
    );
    keys(&mut app, "u");
    assert!(!app.is_modified(), "one undo step");
}

fn app_field(app: &App) -> usize {
    // The field cursor is not public; the detail pane shows it.
    let e = app.selected_entity().unwrap();
    e.fields.iter().position(|f| f.name == "nickname").unwrap()
}

#[test]
fn edit_field_form() {
    let mut app = open("shop.ron");
    keys(&mut app, "ljj");
    press(&mut app, KeyCode::Enter);
    assert!(in_form(&app));
    assert_snapshot!("edit_field", screen(&app));
    tab(&mut app, 1);
    // Ctrl-u clears the type; then a new one.
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    keys(&mut app, "text");
    press(&mut app, KeyCode::Enter);
    assert!(!in_form(&app), "{}", screen(&app));
    let e = app.design().entity_named("customers").unwrap();
    assert_eq!(e.fields[2].ty, SqlType::Text);
}

#[test]
fn add_relationship_form() {
    let mut app = open("shop.ron");
    select(&mut app, "reviews");
    keys(&mut app, "r");
    keys(&mut app, "ord");
    assert!(screen(&app).contains("→ orders"), "{}", screen(&app));
    press(&mut app, KeyCode::Right);
    assert!(screen(&app).contains("→ order_items"));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Enter);
    assert!(in_form(&app), "on delete must be chosen");
    assert_snapshot!("add_relationship_needs_on_delete", screen(&app));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    assert!(!in_form(&app), "{}", screen(&app));
    let d = app.design();
    let reviews = d.entity_named("reviews").unwrap();
    let field = reviews.field_named("order_id").unwrap();
    let rel = d
        .relationships_from(&reviews.id)
        .into_iter()
        .find(|r| r.fields == [field.id.clone()])
        .unwrap();
    assert_eq!(rel.on_delete, Some(ReferentialAction::Restrict));
    assert!(
        reviews
            .indexes
            .iter()
            .any(|i| i.fields == [field.id.clone()])
    );

    // One-to-one: the key is unique.
    select(&mut app, "payments");
    keys(&mut app, "r");
    keys(&mut app, "coupons");
    tab(&mut app, 1);
    press(&mut app, KeyCode::Right);
    tab(&mut app, 2);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    let d = app.design();
    let payments = d.entity_named("payments").unwrap();
    let field = payments.field_named("coupon_id").unwrap();
    assert!(payments.is_unique_over(std::slice::from_ref(&field.id)));
    let rel = d
        .relationships_from(&payments.id)
        .into_iter()
        .find(|r| r.fields == [field.id.clone()])
        .unwrap();
    assert_eq!(rel.kind, RelationshipKind::OneToOne);
    assert_eq!(rel.on_delete, Some(ReferentialAction::Cascade));

    // Many-to-many: a junction.
    select(&mut app, "products");
    keys(&mut app, "r");
    keys(&mut app, "warehouses");
    tab(&mut app, 1);
    press(&mut app, KeyCode::Left);
    assert_snapshot!("add_relationship_many_to_many", screen(&app));
    tab(&mut app, 2);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Enter);
    let junction = app.design().entity_named("products_warehouses").unwrap();
    assert!(junction.junction);
    assert!(
        app.design()
            .relationships_from(&junction.id)
            .iter()
            .all(|r| r.on_delete == Some(ReferentialAction::NoAction))
    );
}

#[test]
fn add_index_form() {
    let mut app = open("shop.ron");
    keys(&mut app, "i");
    keys(&mut app, "full_name, nope");
    assert_snapshot!("add_index_unknown_field", screen(&app));
    for _ in 0.." nope".len() {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Backspace);
    tab(&mut app, 1);
    keys(&mut app, " ");
    press(&mut app, KeyCode::Enter);
    assert!(!in_form(&app), "{}", screen(&app));
    let e = app.design().entity_named("customers").unwrap();
    let name = e.field_named("full_name").unwrap().id.clone();
    assert!(
        e.indexes
            .iter()
            .any(|i| i.unique && i.fields == [name.clone()])
    );
}

#[test]
fn enum_form_adds_and_changes() {
    let mut app = open("shop.ron");
    keys(&mut app, "E");
    tab(&mut app, 1);
    keys(&mut app, "mood");
    tab(&mut app, 1);
    keys(&mut app, "happy, sad, happy");
    assert!(screen(&app).contains("`happy` twice"));
    for _ in 0..", happy".len() {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.design().enum_named("mood").unwrap().values,
        ["happy", "sad"]
    );

    // Pick the existing one and change it.
    keys(&mut app, "E");
    press(&mut app, KeyCode::Left);
    assert_snapshot!("enum_picked", screen(&app));
    tab(&mut app, 2);
    keys(&mut app, ", meh");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.design().enum_named("mood").unwrap().values,
        ["happy", "sad", "meh"]
    );
    assert_eq!(app.design().enums.len(), 3);
}

#[test]
fn add_check_form() {
    let mut app = open("shop.ron");
    select(&mut app, "order_items");
    keys(&mut app, "c");
    press(&mut app, KeyCode::Enter);
    assert_snapshot!("add_check_needs_expression", screen(&app));
    keys(&mut app, "quantity < 1000");
    press(&mut app, KeyCode::Enter);
    let e = app.design().entity_named("order_items").unwrap();
    assert!(
        e.checks
            .iter()
            .any(|c| c.expr.as_str() == "quantity < 1000")
    );
    press(&mut app, KeyCode::Esc);
}

#[test]
fn esc_closes_a_form_and_changes_nothing() {
    let mut app = open("shop.ron");
    keys(&mut app, "a");
    keys(&mut app, "things");
    press(&mut app, KeyCode::Esc);
    assert!(!in_form(&app));
    assert!(!app.is_modified());
}

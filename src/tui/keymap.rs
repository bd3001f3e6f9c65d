//! Every key the designer knows, as data: which context it works in, the
//! action it stands for and the words that describe it. The status bar's
//! hints and the `?` overlay are generated from this one table, so there
//! is no second list to keep in step (gitui's `commands()` / `cmdbar`).

use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. `Global` bindings work in every pane of the
/// main screen; a pane's own binding wins over a global one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Global,
    Entities,
    Fields,
    Findings,
    /// The diagram view.
    Diagram,
    /// A form (pop-up dialog).
    Form,
    /// The `:` command line and the `/` filter.
    Line,
    Help,
    /// A migration plan shown before it is applied.
    Plan,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Entities => "Entities pane",
            Context::Fields => "Fields pane",
            Context::Findings => "Findings pane",
            Context::Diagram => "Diagram view",
            Context::Form => "Forms",
            Context::Line => "Command line (:) and filter (/)",
            Context::Help => "This help",
            Context::Plan => "Plan preview (A, :apply)",
        }
    }

    /// The contexts in the order the help lists them.
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Entities,
        Context::Fields,
        Context::Findings,
        Context::Diagram,
        Context::Form,
        Context::Line,
        Context::Plan,
        Context::Help,
    ];

    /// The main screen's contexts, where the global bindings apply too.
    fn falls_back_to_global(self) -> bool {
        matches!(
            self,
            Context::Entities | Context::Fields | Context::Findings | Context::Diagram
        )
    }
}

/// What a key asks for; `App::update` gives each its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    Save,
    Undo,
    Redo,
    Help,
    CommandLine,
    Filter,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter on an entity: look at its fields.
    Open,
    /// Back to the entity list.
    Back,
    DropEntity,
    DropField,
    /// Enter on a finding: go to its entity (and field).
    Jump,
    ApplyFix,
    /// Switch between the lists and the diagram.
    Diagram,
    // Forms.
    AddEntity,
    EditEntity,
    AddField,
    EditField,
    AddRelationship,
    AddIndex,
    Enums,
    AddCheck,
    /// Space on a toggle or a choice in a form.
    Toggle,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    // Line editing.
    Submit,
    Cancel,
    Complete,
    HistoryPrev,
    HistoryNext,
    Left,
    Right,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    ClearLine,
    CloseHelp,
    /// Plan the design against the database, to apply after a preview.
    Apply,
    /// Yes to the plan on show.
    Confirm,
}

/// A key as bindings name it: the code, and whether Ctrl is held, and
/// Shift for keys that are not characters (for a character, Shift is
/// part of it: `G`, `?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub shift: bool,
}

impl Key {
    pub const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
            shift: false,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            shift: false,
        }
    }

    pub const fn code(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            shift: false,
        }
    }

    pub const fn shift(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            shift: true,
        }
    }

    pub fn of(event: &KeyEvent) -> Key {
        let shift = event.modifiers.contains(KeyModifiers::SHIFT)
            && !matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab);
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            shift,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.shift {
            f.write_str("S-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Bksp"),
            KeyCode::Delete => f.write_str("Del"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One line of the keymap.
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    /// What the keys do, in a few words.
    pub label: &'static str,
    /// The few words the status bar shows while its context is active,
    /// for the keys that matter most there.
    pub hint: Option<&'static str>,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    label: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        label,
        hint,
    }
}

use Action as A;
use Context as C;

const UP: Key = Key::code(KeyCode::Up);
const DOWN: Key = Key::code(KeyCode::Down);
const LEFT: Key = Key::code(KeyCode::Left);
const RIGHT: Key = Key::code(KeyCode::Right);
const ENTER: Key = Key::code(KeyCode::Enter);
const ESC: Key = Key::code(KeyCode::Esc);

/// The keymap. Order matters twice: the first binding for a key in a
/// context wins, and hints and help read in this order.
pub const BINDINGS: &[Binding] = &[
    // Entities.
    bind(
        C::Entities,
        &[Key::ch('j'), DOWN],
        A::Down,
        "next entity",
        None,
    ),
    bind(
        C::Entities,
        &[Key::ch('k'), UP],
        A::Up,
        "previous entity",
        None,
    ),
    bind(
        C::Entities,
        &[ENTER, Key::ch('l'), Key::code(KeyCode::Right)],
        A::Open,
        "look at the entity's fields",
        Some("fields"),
    ),
    bind(
        C::Entities,
        &[Key::ch('d')],
        A::DropEntity,
        "drop the entity (asks first)",
        Some("drop"),
    ),
    bind(
        C::Entities,
        &[Key::ch('a')],
        A::AddEntity,
        "add an entity (form)",
        Some("add"),
    ),
    bind(
        C::Entities,
        &[Key::ch('e')],
        A::EditEntity,
        "edit the entity: name, comment",
        Some("edit"),
    ),
    // Fields.
    bind(
        C::Fields,
        &[Key::ch('j'), DOWN],
        A::Down,
        "next field",
        None,
    ),
    bind(
        C::Fields,
        &[Key::ch('k'), UP],
        A::Up,
        "previous field",
        None,
    ),
    bind(
        C::Fields,
        &[ESC, Key::ch('h'), Key::code(KeyCode::Left)],
        A::Back,
        "back to the entities",
        Some("back"),
    ),
    bind(
        C::Fields,
        &[Key::ch('d')],
        A::DropField,
        "drop the field (asks first)",
        Some("drop"),
    ),
    bind(
        C::Fields,
        &[Key::ch('a')],
        A::AddField,
        "add a field (form)",
        Some("add"),
    ),
    bind(
        C::Fields,
        &[Key::ch('e'), ENTER],
        A::EditField,
        "edit the field: name, type, null, unique, default",
        Some("edit"),
    ),
    // Findings.
    bind(
        C::Findings,
        &[Key::ch('j'), DOWN],
        A::Down,
        "next finding",
        None,
    ),
    bind(
        C::Findings,
        &[Key::ch('k'), UP],
        A::Up,
        "previous finding",
        None,
    ),
    bind(
        C::Findings,
        &[ENTER],
        A::Jump,
        "go to the finding's entity and field",
        Some("go to"),
    ),
    bind(
        C::Findings,
        &[Key::ch('f')],
        A::ApplyFix,
        "apply the finding's fix (u undoes it)",
        Some("fix"),
    ),
    bind(C::Findings, &[ESC], A::Back, "back to the entities", None),
    // The diagram.
    bind(
        C::Diagram,
        &[Key::ch('h'), LEFT],
        A::Left,
        "the box to the left",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('l'), RIGHT],
        A::Right,
        "the box to the right",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('k'), UP],
        A::Up,
        "the nearest box a layer up (parents)",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('j'), DOWN],
        A::Down,
        "the nearest box a layer down (children)",
        Some("move"),
    ),
    bind(
        C::Diagram,
        &[Key::ch('H'), Key::shift(KeyCode::Left)],
        A::PanLeft,
        "pan left",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('L'), Key::shift(KeyCode::Right)],
        A::PanRight,
        "pan right",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('K'), Key::shift(KeyCode::Up)],
        A::PanUp,
        "pan up",
        None,
    ),
    bind(
        C::Diagram,
        &[Key::ch('J'), Key::shift(KeyCode::Down)],
        A::PanDown,
        "pan down",
        Some("pan"),
    ),
    bind(
        C::Diagram,
        &[ENTER],
        A::Open,
        "look at the entity's fields",
        Some("fields"),
    ),
    bind(
        C::Diagram,
        &[ESC, Key::ch('v')],
        A::Back,
        "back to the lists",
        Some("lists"),
    ),
    // Everywhere on the main screen.
    bind(
        C::Global,
        &[Key::ch('?')],
        A::Help,
        "this help",
        Some("help"),
    ),
    bind(
        C::Global,
        &[Key::ch(':')],
        A::CommandLine,
        "command line",
        Some("command"),
    ),
    bind(
        C::Global,
        &[Key::ch('A')],
        A::Apply,
        "plan the design against the database, then apply it",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('u'), Key::ctrl('z')],
        A::Undo,
        "undo",
        Some("undo"),
    ),
    bind(
        C::Global,
        &[Key::ctrl('r'), Key::ctrl('y')],
        A::Redo,
        "redo",
        None,
    ),
    bind(
        C::Global,
        &[Key::ctrl('s')],
        A::Save,
        "save (atomic, keeps FILE.bak)",
        Some("save"),
    ),
    bind(
        C::Global,
        &[Key::ch('q'), Key::ctrl('c')],
        A::Quit,
        "quit (asks when unsaved)",
        Some("quit"),
    ),
    bind(
        C::Global,
        &[Key::ch('a')],
        A::AddEntity,
        "add an entity (form)",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('e')],
        A::EditEntity,
        "edit the selected entity",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('r')],
        A::AddRelationship,
        "add a relationship from the selected entity",
        Some("rel"),
    ),
    bind(
        C::Global,
        &[Key::ch('i')],
        A::AddIndex,
        "add an index to the selected entity",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('c')],
        A::AddCheck,
        "add a check constraint to the selected entity",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('E')],
        A::Enums,
        "add or change an enum",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('v')],
        A::Diagram,
        "diagram view",
        Some("diagram"),
    ),
    bind(
        C::Global,
        &[Key::ch('/')],
        A::Filter,
        "filter the entities by name",
        Some("filter"),
    ),
    bind(
        C::Global,
        &[Key::code(KeyCode::Tab)],
        A::FocusNext,
        "next pane",
        Some("pane"),
    ),
    bind(
        C::Global,
        &[Key::code(KeyCode::BackTab)],
        A::FocusPrev,
        "previous pane",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('j'), DOWN],
        A::Down,
        "move down",
        Some("move"),
    ),
    bind(C::Global, &[Key::ch('k'), UP], A::Up, "move up", None),
    bind(
        C::Global,
        &[Key::code(KeyCode::PageDown), Key::ctrl('d')],
        A::PageDown,
        "page down",
        None,
    ),
    bind(
        C::Global,
        &[Key::code(KeyCode::PageUp), Key::ctrl('u')],
        A::PageUp,
        "page up",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('g'), Key::code(KeyCode::Home)],
        A::Top,
        "first",
        None,
    ),
    bind(
        C::Global,
        &[Key::ch('G'), Key::code(KeyCode::End)],
        A::Bottom,
        "last",
        None,
    ),
    // Forms.
    bind(
        C::Form,
        &[Key::code(KeyCode::Tab), DOWN],
        A::FocusNext,
        "next input",
        Some("next"),
    ),
    bind(
        C::Form,
        &[Key::code(KeyCode::BackTab), UP],
        A::FocusPrev,
        "previous input",
        None,
    ),
    bind(
        C::Form,
        &[LEFT],
        A::Left,
        "previous choice; cursor left in text",
        Some("choose"),
    ),
    bind(
        C::Form,
        &[RIGHT],
        A::Right,
        "next choice; cursor right in text",
        None,
    ),
    bind(
        C::Form,
        &[Key::ch(' ')],
        A::Toggle,
        "switch a toggle, next choice",
        None,
    ),
    bind(
        C::Form,
        &[ENTER],
        A::Submit,
        "apply (one undo step)",
        Some("apply"),
    ),
    bind(C::Form, &[ESC], A::Cancel, "cancel", Some("cancel")),
    bind(
        C::Form,
        &[Key::code(KeyCode::Backspace)],
        A::DeleteBack,
        "delete back",
        None,
    ),
    bind(
        C::Form,
        &[Key::ctrl('u')],
        A::ClearLine,
        "clear the input",
        None,
    ),
    // The command line and the filter.
    bind(
        C::Line,
        &[ENTER],
        A::Submit,
        "run the command / keep the filter",
        Some("run"),
    ),
    bind(
        C::Line,
        &[ESC, Key::ctrl('c')],
        A::Cancel,
        "cancel / clear the filter",
        Some("cancel"),
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Tab)],
        A::Complete,
        "complete a name (again: next)",
        Some("complete"),
    ),
    bind(
        C::Line,
        &[UP, Key::ctrl('p')],
        A::HistoryPrev,
        "earlier command",
        Some("history"),
    ),
    bind(
        C::Line,
        &[DOWN, Key::ctrl('n')],
        A::HistoryNext,
        "later command",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Left)],
        A::Left,
        "cursor left",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Right)],
        A::Right,
        "cursor right",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Home), Key::ctrl('a')],
        A::Home,
        "start of line",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::End), Key::ctrl('e')],
        A::End,
        "end of line",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Backspace)],
        A::DeleteBack,
        "delete back",
        None,
    ),
    bind(
        C::Line,
        &[Key::code(KeyCode::Delete)],
        A::DeleteForward,
        "delete",
        None,
    ),
    bind(
        C::Line,
        &[Key::ctrl('u')],
        A::ClearLine,
        "clear the line",
        None,
    ),
    // The plan preview.
    bind(
        C::Plan,
        &[Key::ch('y')],
        A::Confirm,
        "apply the plan to the database",
        Some("apply"),
    ),
    bind(
        C::Plan,
        &[ESC, Key::ch('n'), Key::ch('q')],
        A::Cancel,
        "close, changing nothing",
        Some("cancel"),
    ),
    bind(
        C::Plan,
        &[Key::ch('j'), DOWN],
        A::Down,
        "scroll down",
        Some("scroll"),
    ),
    bind(C::Plan, &[Key::ch('k'), UP], A::Up, "scroll up", None),
    // The help overlay.
    bind(
        C::Help,
        &[Key::ch('j'), DOWN],
        A::Down,
        "scroll down",
        Some("scroll"),
    ),
    bind(C::Help, &[Key::ch('k'), UP], A::Up, "scroll up", None),
    bind(
        C::Help,
        &[ESC, Key::ch('?'), Key::ch('q')],
        A::CloseHelp,
        "close",
        Some("close"),
    ),
];

/// The action a key stands for in a context, falling back to the global
/// bindings for the panes of the main screen.
pub fn lookup(context: Context, key: Key) -> Option<Action> {
    let find = |c: Context| {
        BINDINGS
            .iter()
            .find(|b| b.context == c && b.keys.contains(&key))
            .map(|b| b.action)
    };
    find(context).or_else(|| {
        if context.falls_back_to_global() {
            find(C::Global)
        } else {
            None
        }
    })
}

/// The hints to show while `context` is active: its own, then the
/// global ones its own do not already cover.
pub fn hints(context: Context) -> Vec<&'static Binding> {
    let own = BINDINGS
        .iter()
        .filter(|b| b.context == context && b.hint.is_some());
    let pane = context.falls_back_to_global();
    let global = BINDINGS.iter().filter(move |b| {
        pane && b.context == C::Global
            && b.hint.is_some()
            && !(context == C::Diagram && matches!(b.action, A::FocusNext | A::FocusPrev))
            && !BINDINGS
                .iter()
                .any(|o| o.context == context && o.keys.iter().any(|k| b.keys.contains(k)))
    });
    own.chain(global).collect()
}

/// The bindings of one context, for the help overlay.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.context == context)
}

/// The keys of a binding as the user reads them: `u Ctrl-z`.
pub fn keys_text(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pane_bindings_win_over_global_ones() {
        assert_eq!(lookup(C::Findings, Key::ch('j')), Some(A::Down));
        assert_eq!(lookup(C::Entities, Key::ch('u')), Some(A::Undo));
        assert_eq!(lookup(C::Fields, Key::code(KeyCode::Esc)), Some(A::Back));
        assert_eq!(lookup(C::Entities, Key::code(KeyCode::Esc)), None);
        assert_eq!(
            lookup(C::Line, Key::ch('q')),
            None,
            "typing is not quitting"
        );
        assert_eq!(lookup(C::Global, Key::ctrl('y')), Some(A::Redo));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for c in Context::ALL {
            let keys: Vec<Key> = bindings(c).flat_map(|b| b.keys.iter().copied()).collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{k} twice in {c:?}");
            }
        }
    }

    #[test]
    fn hints_skip_globals_a_pane_overrides() {
        let labels: Vec<&str> = hints(C::Entities).iter().filter_map(|b| b.hint).collect();
        assert_eq!(labels[..2], ["fields", "drop"]);
        assert!(labels.contains(&"undo"));
        assert!(!labels.contains(&"move"), "j is the pane's own: {labels:?}");
        assert_eq!(Key::ctrl('r').to_string(), "Ctrl-r");
    }
}

//! Forms: pop-up dialogs that gather what one change needs, say what is
//! wrong with it while it is typed, and produce one [`Edit`] (a `Batch`
//! when the change has several parts) for the history. Where the `:`
//! language already says how a change is made in the house style (a new
//! entity, field, foreign key, junction or index), the form builds that
//! command and lets it make the edit, so both paths give the same design.

use crate::core::command::DesignCommand;
use crate::core::edit::Edit;
use crate::core::ids::{EntityId, FieldId, IdGen};
use crate::core::model::{
    Check, DefaultValue, Design, Entity, EnumType, Field, ReferentialAction, RelationshipKind,
    SqlExpr, SqlType, Unique,
};

use super::app::LineInput;

/// What a form is for.
#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    AddEntity,
    EditEntity(EntityId),
    AddField(EntityId),
    EditField(EntityId, FieldId),
    AddRelationship(EntityId),
    AddIndex(EntityId),
    /// Add an enum, or change the one picked in the form.
    Enum,
    AddCheck(EntityId),
}

/// One input of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub label: &'static str,
    pub value: Value,
    /// Said under the input while nothing is wrong with it.
    pub help: String,
    /// Changed since the form opened: its errors show from then on.
    pub touched: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(LineInput),
    Toggle(bool),
    /// One of a few options, none chosen yet when `selected` is `None`.
    Choice {
        options: Vec<String>,
        selected: Option<usize>,
    },
    /// One of many names (entities): typing narrows them down, ←/→ go
    /// through what is left.
    Pick {
        query: LineInput,
        options: Vec<String>,
        at: usize,
    },
}

impl Value {
    /// The names a pick's query lets through, in the design's order.
    pub fn matches(&self) -> Vec<&str> {
        let Value::Pick { query, options, .. } = self else {
            return Vec::new();
        };
        let q = query.text.trim().to_lowercase();
        // An exact name wins outright.
        if let Some(exact) = options.iter().find(|o| o.to_lowercase() == q) {
            return vec![exact.as_str()];
        }
        options
            .iter()
            .filter(|o| o.to_lowercase().contains(&q))
            .map(String::as_str)
            .collect()
    }

    /// What the pick has picked.
    pub fn picked(&self) -> Option<&str> {
        let Value::Pick { at, .. } = self else {
            return None;
        };
        let matches = self.matches();
        matches
            .get((*at).min(matches.len().saturating_sub(1)))
            .copied()
    }

    pub fn is_text(&self) -> bool {
        matches!(self, Value::Text(_) | Value::Pick { .. })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub inputs: Vec<Input>,
    pub focus: usize,
    /// Enter was pressed once: every error shows.
    pub tried: bool,
    /// Why the design refused the edit, when it did.
    pub refused: Option<String>,
}

/// The enum form's first choice (no enum can be named so: it has a space).
const NEW_ENUM: &str = "new enum";
const ON_DELETE: [&str; 4] = ["cascade", "restrict", "set null", "no action"];
const KINDS: [&str; 3] = ["many-to-one", "one-to-one", "many-to-many"];

fn text(label: &'static str, value: &str, help: &str) -> Input {
    Input {
        label,
        value: Value::Text(LineInput::new(value)),
        help: help.into(),
        touched: false,
    }
}

fn toggle(label: &'static str, on: bool, help: &str) -> Input {
    Input {
        label,
        value: Value::Toggle(on),
        help: help.into(),
        touched: false,
    }
}

fn choice(label: &'static str, options: &[&str], selected: Option<usize>, help: &str) -> Input {
    Input {
        label,
        value: Value::Choice {
            options: options.iter().map(|o| o.to_string()).collect(),
            selected,
        },
        help: help.into(),
        touched: false,
    }
}

impl Form {
    fn new(kind: FormKind, title: String, inputs: Vec<Input>) -> Form {
        Form {
            kind,
            title,
            inputs,
            focus: 0,
            tried: false,
            refused: None,
        }
    }

    pub fn add_entity() -> Form {
        Form::new(
            FormKind::AddEntity,
            "New entity".into(),
            vec![
                text("Name", "", "plural, snake_case: order_items"),
                text("Comment", "", "what one row is (optional)"),
                toggle(
                    "Start with",
                    true,
                    "a uuid `id` key and created_at / updated_at",
                ),
            ],
        )
    }

    pub fn edit_entity(entity: &Entity) -> Form {
        Form::new(
            FormKind::EditEntity(entity.id.clone()),
            format!("Entity {}", entity.name),
            vec![
                text("Name", &entity.name, "renaming keeps its id and its keys"),
                text(
                    "Comment",
                    entity.comment.as_deref().unwrap_or(""),
                    "what one row is (optional)",
                ),
            ],
        )
    }

    pub fn add_field(entity: &Entity) -> Form {
        Form::new(
            FormKind::AddField(entity.id.clone()),
            format!("New field in {}", entity.name),
            field_inputs(None, false),
        )
    }

    pub fn edit_field(entity: &Entity, field: &Field) -> Form {
        let unique = entity.is_unique_over(std::slice::from_ref(&field.id));
        Form::new(
            FormKind::EditField(entity.id.clone(), field.id.clone()),
            format!("Field {}.{}", entity.name, field.name),
            field_inputs(Some(field), unique),
        )
    }

    pub fn add_relationship(design: &Design, entity: &Entity) -> Form {
        let options: Vec<String> = design.entities().map(|e| e.name.clone()).collect();
        let mut form = Form::new(
            FormKind::AddRelationship(entity.id.clone()),
            format!("New relationship from {}", entity.name),
            vec![
                Input {
                    label: "Target",
                    value: Value::Pick {
                        query: LineInput::new(""),
                        options,
                        at: 0,
                    },
                    help: "type to narrow, ←/→ to choose".into(),
                    touched: false,
                },
                choice(
                    "Kind",
                    &KINDS,
                    Some(0),
                    "many-to-many adds a junction entity",
                ),
                text(
                    "Key field",
                    "",
                    "made with the target key's type and an index",
                ),
                choice(
                    "On delete",
                    &ON_DELETE,
                    None,
                    "what happens to these rows when the target row goes",
                ),
            ],
        );
        form.suggest_key_field();
        form
    }

    pub fn add_index(entity: &Entity) -> Form {
        let names: Vec<&str> = entity.fields.iter().map(|f| f.name.as_str()).collect();
        Form::new(
            FormKind::AddIndex(entity.id.clone()),
            format!("New index on {}", entity.name),
            vec![
                text(
                    "Fields",
                    "",
                    &format!("in index order, with commas: {}", names.join(", ")),
                ),
                toggle("Unique", false, "no two rows share these values"),
            ],
        )
    }

    pub fn enums(design: &Design) -> Form {
        let mut options = vec![NEW_ENUM];
        options.extend(design.enums.iter().map(|e| e.name.as_str()));
        Form::new(
            FormKind::Enum,
            "Enums".into(),
            vec![
                choice("Enum", &options, Some(0), "←/→ picks one to change"),
                text("Name", "", "snake_case: order_status"),
                text("Values", "", "with commas: pending, paid, shipped"),
            ],
        )
    }

    pub fn add_check(entity: &Entity) -> Form {
        Form::new(
            FormKind::AddCheck(entity.id.clone()),
            format!("New check on {}", entity.name),
            vec![
                text(
                    "Name",
                    "",
                    "optional; PostgreSQL names it TABLE_check otherwise",
                ),
                text("Expression", "", "SQL that must hold: quantity > 0"),
            ],
        )
    }

    pub fn focused(&self) -> &Input {
        &self.inputs[self.focus]
    }

    fn value(&self, label: &str) -> &Value {
        &self
            .inputs
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("no input {label}"))
            .value
    }

    fn value_mut(&mut self, label: &str) -> &mut Input {
        self.inputs
            .iter_mut()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("no input {label}"))
    }

    pub fn text(&self, label: &str) -> &str {
        match self.value(label) {
            Value::Text(input) => input.text.trim(),
            Value::Pick { query, .. } => query.text.trim(),
            _ => "",
        }
    }

    pub fn toggle(&self, label: &str) -> bool {
        matches!(self.value(label), Value::Toggle(true))
    }

    pub fn choice(&self, label: &str) -> Option<&str> {
        match self.value(label) {
            Value::Choice { options, selected } => selected.map(|i| options[i].as_str()),
            _ => None,
        }
    }

    pub fn move_focus(&mut self, step: isize) {
        let n = self.inputs.len() as isize;
        self.focus = (self.focus as isize + step).rem_euclid(n) as usize;
    }

    /// ←/→ on a choice or a pick; Space on a toggle.
    pub fn cycle(&mut self, step: isize) {
        let input = &mut self.inputs[self.focus];
        match &mut input.value {
            Value::Toggle(on) => *on = !*on,
            Value::Choice { options, selected } => {
                let n = options.len() as isize;
                *selected = Some(match *selected {
                    None if step > 0 => 0,
                    None => options.len() - 1,
                    Some(i) => (i as isize + step).rem_euclid(n) as usize,
                });
            }
            Value::Pick { .. } => {
                let n = input.value.matches().len().max(1) as isize;
                if let Value::Pick { at, .. } = &mut input.value {
                    *at = ((*at).min(n as usize - 1) as isize + step).rem_euclid(n) as usize;
                }
            }
            Value::Text(_) => return,
        }
        input.touched = true;
        self.changed();
    }

    /// The focused text input, to type into.
    pub fn line(&mut self) -> Option<&mut LineInput> {
        let input = &mut self.inputs[self.focus];
        input.touched = true;
        match &mut input.value {
            Value::Text(line) => Some(line),
            Value::Pick { query, at, .. } => {
                *at = 0;
                Some(query)
            }
            _ => None,
        }
    }

    /// After any change: inputs that follow others catch up.
    pub fn changed(&mut self) {
        self.refused = None;
        if let FormKind::AddRelationship(_) = self.kind {
            self.suggest_key_field();
        }
    }

    /// The enum form shows the enum it has picked.
    pub fn load_enum(&mut self, design: &Design) {
        let picked = self.choice("Enum").and_then(|name| design.enum_named(name));
        let (name, values) = match picked {
            Some(e) => (e.name.clone(), e.values.join(", ")),
            None => (String::new(), String::new()),
        };
        if let Value::Text(line) = &mut self.value_mut("Name").value {
            line.set(name);
        }
        if let Value::Text(line) = &mut self.value_mut("Values").value {
            line.set(values);
        }
    }

    /// The relationship form's key field follows the target, until the
    /// user types one of their own.
    fn suggest_key_field(&mut self) {
        if self.value_mut("Key field").touched {
            return;
        }
        let target = self.value("Target").picked().map(key_field_name);
        if let Value::Text(line) = &mut self.value_mut("Key field").value {
            line.set(target.unwrap_or_default());
        }
    }

    /// What is wrong with each input, if anything.
    pub fn problems(&self, design: &Design) -> Vec<Option<String>> {
        self.inputs
            .iter()
            .map(|input| self.problem(design, input))
            .collect()
    }

    fn problem(&self, design: &Design, input: &Input) -> Option<String> {
        let entity = |id: &EntityId| design.entity(id);
        let value = match &input.value {
            Value::Text(line) => line.text.trim(),
            _ => "",
        };
        match (&self.kind, input.label) {
            (FormKind::AddEntity | FormKind::EditEntity(_), "Name") => {
                name_problem(value).or_else(|| {
                    let clash = design.entity_named(value);
                    let same = match &self.kind {
                        FormKind::EditEntity(id) => clash.is_some_and(|e| &e.id == id),
                        _ => false,
                    };
                    (clash.is_some() && !same)
                        .then(|| format!("an entity named `{value}` exists already"))
                })
            }
            (FormKind::AddField(e) | FormKind::EditField(e, _), "Name") => name_problem(value)
                .or_else(|| {
                    let clash = entity(e).and_then(|e| e.field_named(value));
                    let same = match &self.kind {
                        FormKind::EditField(_, f) => clash.is_some_and(|c| &c.id == f),
                        _ => false,
                    };
                    (clash.is_some() && !same)
                        .then(|| format!("a field named `{value}` exists already"))
                }),
            (FormKind::AddField(_) | FormKind::EditField(..), "Type") => {
                if value.is_empty() {
                    return Some("a type is needed: text, integer, varchar(100), ...".into());
                }
                match SqlType::parse(value) {
                    Err(e) => Some(e.to_string()),
                    Ok(ty) => unknown_enum(design, &ty),
                }
            }
            (FormKind::EditField(e, f), "Unique") => {
                let (e, f) = (entity(e)?, f);
                let was = e.is_unique_over(std::slice::from_ref(f));
                let by_constraint = e.uniques.iter().any(|u| u.fields == [f.clone()]);
                (was && !self.toggle("Unique") && !by_constraint)
                    .then(|| "unique by the primary key or an index: change that instead".into())
            }
            (FormKind::AddRelationship(_), "Target") => match input.value.picked() {
                None => Some(format!("no entity matches `{}`", self.text("Target"))),
                Some(name) => {
                    let target = design.entity_named(name)?;
                    match target.primary_key.as_ref().map(|pk| pk.fields.len()) {
                        Some(1) => None,
                        Some(_) => Some(format!("`{name}` has a composite key")),
                        None => Some(format!("`{name}` has no primary key to reference")),
                    }
                }
            },
            (FormKind::AddRelationship(_), "Key field") => {
                if self.choice("Kind") == Some("many-to-many") {
                    None
                } else {
                    name_problem(value)
                }
            }
            (FormKind::AddRelationship(_), "On delete") => self
                .choice("On delete")
                .is_none()
                .then(|| "choose one (←/→): the house style says it on purpose".into()),
            (FormKind::AddIndex(e), "Fields") => {
                let e = entity(e)?;
                let names = split_list(value);
                if names.is_empty() {
                    return Some("name at least one field".into());
                }
                names
                    .iter()
                    .find(|n| e.field_named(n).is_none())
                    .map(|n| format!("`{}` has no field `{n}`", e.name))
            }
            (FormKind::Enum, "Name") => name_problem(value).or_else(|| {
                let picked = self.choice("Enum").filter(|&c| c != NEW_ENUM);
                let clash = design.enum_named(value)?;
                (Some(clash.name.as_str()) != picked)
                    .then(|| format!("an enum named `{value}` exists already"))
            }),
            (FormKind::Enum, "Values") => {
                let values = split_list(value);
                if values.is_empty() {
                    return Some("at least one value".into());
                }
                values
                    .iter()
                    .enumerate()
                    .find(|(i, v)| values[..*i].contains(v))
                    .map(|(_, v)| format!("`{v}` twice"))
            }
            (FormKind::AddCheck(_), "Expression") => {
                value.is_empty().then(|| "an expression is needed".into())
            }
            _ => None,
        }
    }

    /// The edit the form stands for, or why there is none.
    pub fn edit(&self, design: &Design, ids: &mut IdGen) -> Result<Option<Edit>, String> {
        if let Some(problem) = self.problems(design).into_iter().flatten().next() {
            return Err(problem);
        }
        let run = |c: DesignCommand, ids: &mut IdGen| c.to_edit(design, ids).map_err(|e| e.0);
        let name_of = |id: &EntityId| {
            design
                .entity(id)
                .map(|e| e.name.clone())
                .ok_or_else(|| "the entity is gone".to_owned())
        };
        let comment = |label: &str| Some(self.text(label).to_owned()).filter(|c| !c.is_empty());
        let mut edits = match &self.kind {
            FormKind::AddEntity => {
                let name = self.text("Name").to_owned();
                let mut edit = if self.toggle("Start with") {
                    run(DesignCommand::EntityAdd { name }, ids)?
                } else {
                    Edit::AddEntity {
                        entity: Box::new(Entity::new(ids.entity(), name)),
                        at: design.entity_count(),
                    }
                };
                if let Edit::AddEntity { entity, .. } = &mut edit {
                    entity.comment = comment("Comment");
                }
                vec![edit]
            }
            FormKind::EditEntity(id) => {
                let e = design.entity(id).ok_or("the entity is gone")?;
                let mut edits = Vec::new();
                if self.text("Name") != e.name {
                    edits.push(Edit::RenameEntity {
                        id: id.clone(),
                        name: self.text("Name").to_owned(),
                    });
                }
                if comment("Comment") != e.comment {
                    edits.push(Edit::SetEntityComment {
                        id: id.clone(),
                        comment: comment("Comment"),
                    });
                }
                edits
            }
            FormKind::AddField(id) => {
                let ty = SqlType::parse(self.text("Type")).map_err(|e| e.to_string())?;
                let edit = run(
                    DesignCommand::FieldAdd {
                        entity: name_of(id)?,
                        field: self.text("Name").to_owned(),
                        ty,
                        not_null: self.toggle("Not null"),
                        unique: self.toggle("Unique"),
                        default: default_value(self.text("Default"))?,
                    },
                    ids,
                )?;
                let new_field = added_field(&edit);
                let mut edits = vec![edit];
                if let (Some(field), Some(comment)) = (new_field, comment("Comment")) {
                    edits.push(Edit::SetFieldComment {
                        entity: id.clone(),
                        field,
                        comment: Some(comment),
                    });
                }
                edits
            }
            FormKind::EditField(e, f) => {
                let entity = design.entity(e).ok_or("the entity is gone")?;
                let field = entity.field(f).ok_or("the field is gone")?;
                edit_field(self, entity, field, ids)?
            }
            FormKind::AddRelationship(id) => {
                let target = self.value("Target").picked().unwrap_or_default().to_owned();
                let on_delete = match self.choice("On delete") {
                    Some("cascade") => ReferentialAction::Cascade,
                    Some("restrict") => ReferentialAction::Restrict,
                    Some("set null") => ReferentialAction::SetNull,
                    _ => ReferentialAction::NoAction,
                };
                let kind = self.choice("Kind").unwrap_or(KINDS[0]);
                let command = if kind == "many-to-many" {
                    DesignCommand::RelManyToMany {
                        left: name_of(id)?,
                        right: target,
                    }
                } else {
                    DesignCommand::RelAdd {
                        entity: name_of(id)?,
                        field: self.text("Key field").to_owned(),
                        target,
                        on_delete: Some(on_delete),
                    }
                };
                let edit = run(command, ids)?;
                let mut edits = match edit {
                    Edit::Batch(edits) => edits,
                    one => vec![one],
                };
                let one_to_one = kind == "one-to-one";
                let mut unique_by_index = false;
                for edit in &mut edits {
                    match edit {
                        Edit::AddRelationship { relationship } => {
                            relationship.on_delete = Some(on_delete);
                            if one_to_one {
                                relationship.kind = RelationshipKind::OneToOne;
                            }
                        }
                        // One child per parent: the key's index is unique.
                        Edit::AddIndex { index, .. } if one_to_one => {
                            index.unique = true;
                            unique_by_index = true;
                        }
                        _ => {}
                    }
                }
                if one_to_one && !unique_by_index {
                    let field = edits.iter().find_map(|e| match e {
                        Edit::AddRelationship { relationship } => {
                            relationship.fields.first().cloned()
                        }
                        _ => None,
                    });
                    let entity = design.entity(id).ok_or("the entity is gone")?;
                    if let Some(field) = field
                        && !entity.is_unique_over(std::slice::from_ref(&field))
                    {
                        edits.push(Edit::AddUnique {
                            entity: id.clone(),
                            unique: Unique {
                                id: ids.unique(),
                                name: None,
                                fields: vec![field],
                            },
                            at: entity.uniques.len(),
                        });
                    }
                }
                edits
            }
            FormKind::AddIndex(id) => vec![run(
                DesignCommand::IndexAdd {
                    entity: name_of(id)?,
                    fields: split_list(self.text("Fields")),
                    unique: self.toggle("Unique"),
                },
                ids,
            )?],
            FormKind::Enum => {
                let name = self.text("Name").to_owned();
                let values = split_list(self.text("Values"));
                match self.choice("Enum").and_then(|n| design.enum_named(n)) {
                    Some(e) if self.choice("Enum") != Some(NEW_ENUM) => {
                        let mut edits = Vec::new();
                        if values != e.values {
                            edits.push(Edit::SetEnumValues {
                                id: e.id.clone(),
                                values,
                            });
                        }
                        if name != e.name {
                            edits.push(Edit::RenameEnum {
                                id: e.id.clone(),
                                name,
                            });
                        }
                        edits
                    }
                    _ => vec![Edit::AddEnum {
                        enum_type: EnumType {
                            id: ids.enum_type(),
                            name,
                            values,
                            comment: None,
                        },
                        at: design.enums.len(),
                    }],
                }
            }
            FormKind::AddCheck(id) => {
                let entity = design.entity(id).ok_or("the entity is gone")?;
                vec![Edit::AddCheck {
                    entity: id.clone(),
                    check: Check {
                        id: ids.check(),
                        name: comment("Name"),
                        expr: SqlExpr::parse_strict(self.text("Expression"))
                            .map_err(|e| format!("the check: {}", e.describe()))?,
                    },
                    at: entity.checks.len(),
                }]
            }
        };
        Ok(match edits.len() {
            0 => None,
            1 => edits.pop(),
            _ => Some(Edit::Batch(flatten(edits))),
        })
    }
}

fn field_inputs(field: Option<&Field>, unique: bool) -> Vec<Input> {
    let default = match field.and_then(|f| f.default.as_ref()) {
        Some(d) => d.to_sql(),
        None => String::new(),
    };
    vec![
        text(
            "Name",
            field.map_or("", |f| &f.name),
            "snake_case: shipped_at",
        ),
        text(
            "Type",
            &field.map_or(String::new(), |f| f.ty.to_string()),
            "text, integer, numeric(10,2), timestamptz, an enum, ...[]",
        ),
        toggle(
            "Not null",
            field.is_some_and(|f| f.not_null),
            "every row has a value",
        ),
        toggle("Unique", unique, "no two rows share a value"),
        text(
            "Default",
            &default,
            "SQL such as now() or 0, or a 'quoted text'",
        ),
        text(
            "Comment",
            field.and_then(|f| f.comment.as_deref()).unwrap_or(""),
            "what it holds (optional)",
        ),
    ]
}

fn edit_field(
    form: &Form,
    entity: &Entity,
    field: &Field,
    ids: &mut IdGen,
) -> Result<Vec<Edit>, String> {
    let (e, f) = (entity.id.clone(), field.id.clone());
    let mut edits = Vec::new();
    let name = form.text("Name");
    if name != field.name {
        edits.push(Edit::RenameField {
            entity: e.clone(),
            field: f.clone(),
            name: name.to_owned(),
        });
    }
    let ty = SqlType::parse(form.text("Type")).map_err(|e| e.to_string())?;
    if ty != field.ty {
        edits.push(Edit::SetFieldType {
            entity: e.clone(),
            field: f.clone(),
            ty,
        });
    }
    if form.toggle("Not null") != field.not_null {
        edits.push(Edit::SetNotNull {
            entity: e.clone(),
            field: f.clone(),
            not_null: form.toggle("Not null"),
        });
    }
    let default = default_value(form.text("Default"))?;
    if default != field.default {
        edits.push(Edit::SetDefault {
            entity: e.clone(),
            field: f.clone(),
            default,
        });
    }
    let comment = Some(form.text("Comment").to_owned()).filter(|c| !c.is_empty());
    if comment != field.comment {
        edits.push(Edit::SetFieldComment {
            entity: e.clone(),
            field: f.clone(),
            comment,
        });
    }
    let was = entity.is_unique_over(std::slice::from_ref(&f));
    match (was, form.toggle("Unique")) {
        (false, true) => edits.push(Edit::AddUnique {
            entity: e.clone(),
            unique: Unique {
                id: ids.unique(),
                name: None,
                fields: vec![f.clone()],
            },
            at: entity.uniques.len(),
        }),
        (true, false) => {
            for u in entity.uniques.iter().filter(|u| u.fields == [f.clone()]) {
                edits.push(Edit::RemoveUnique {
                    entity: e.clone(),
                    id: u.id.clone(),
                });
            }
        }
        _ => {}
    }
    Ok(edits)
}

/// A batch inside a batch reads as its edits.
fn flatten(edits: Vec<Edit>) -> Vec<Edit> {
    edits
        .into_iter()
        .flat_map(|e| match e {
            Edit::Batch(inner) => flatten(inner),
            one => vec![one],
        })
        .collect()
}

fn added_field(edit: &Edit) -> Option<FieldId> {
    match edit {
        Edit::AddField { field, .. } => Some(field.id.clone()),
        Edit::Batch(edits) => edits.iter().find_map(added_field),
        _ => None,
    }
}

fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("a name is needed".into())
    } else if name.contains(['.', '"', '\'', '(', ')', ',']) || name.contains(char::is_whitespace) {
        Some(format!(
            "`{name}` is not a name: letters, digits and underscores"
        ))
    } else {
        None
    }
}

fn unknown_enum(design: &Design, ty: &SqlType) -> Option<String> {
    match ty {
        SqlType::Enum(name) if design.enum_named(name).is_none() => Some(format!(
            "unknown type `{name}`: no built-in type or enum has that name"
        )),
        SqlType::Array(inner) => unknown_enum(design, inner),
        _ => None,
    }
}

/// The form's default: `'text'` is a text default, anything else one SQL
/// expression.
fn default_value(raw: &str) -> Result<Option<DefaultValue>, String> {
    DefaultValue::read(raw).map_err(|e| format!("default `{}`: {}", raw.trim(), e.describe()))
}

fn split_list(raw: &str) -> Vec<String> {
    raw.trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `customer_id` for `customers`: the key field a foreign key to an
/// entity is usually given.
fn key_field_name(target: &str) -> String {
    let one = if let Some(stem) = target.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| target.ends_with(e))
    {
        target[..target.len() - 2].to_owned()
    } else if target.ends_with("ss") || target.ends_with("us") {
        target.to_owned()
    } else {
        target.strip_suffix('s').unwrap_or(target).to_owned()
    };
    format!("{one}_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_lists_read_as_typed() {
        assert_eq!(
            default_value("'it''s'"),
            Ok(Some(DefaultValue::Text("it's".into())))
        );
        assert_eq!(
            default_value("now()"),
            Ok(Some(DefaultValue::Expr("now()".into())))
        );
        assert_eq!(default_value(" "), Ok(None));
        let late = default_value("late); DROP TABLE t; --").unwrap_err();
        assert!(late.contains("closes nothing"), "{late}");
        assert_eq!(split_list("(a, b ,c)"), ["a", "b", "c"]);
        assert_eq!(key_field_name("categories"), "category_id");
        assert_eq!(key_field_name("customers"), "customer_id");
    }
}

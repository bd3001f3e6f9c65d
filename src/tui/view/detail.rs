//! The selected entity: its fields as a table (name, type, NOT NULL,
//! default, PK / FK / UQ / IX markers), then its foreign keys both ways,
//! unique constraints, indexes and checks.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

use super::{fit, pane_block};
use crate::core::model::{Design, Entity, Field, Identity};
use crate::tui::app::{App, Mode, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Fields && matches!(app.mode, Mode::Normal | Mode::Prompt(_));
    let Some(entity) = app.selected_entity() else {
        let block = pane_block(app, " Fields ", focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new("Select an entity, or add one with :entity add NAME")
                .style(app.theme.dim),
            inner,
        );
        return;
    };
    let mut title = vec![Span::raw(format!(" {} ", entity.name))];
    if entity.junction {
        title.push(Span::styled("junction ", app.theme.dim));
    }
    let block = pane_block(app, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let comment = entity.comment.as_deref().map(|c| {
        Line::styled(
            fit(c, inner.width as usize),
            app.theme.dim.add_modifier(Modifier::ITALIC),
        )
    });
    let sections = sections(app, &app.design, entity, inner.width as usize);
    let [comment_area, table_area, section_area] = split(entity, sections.len(), inner);
    if let Some(comment) = comment {
        frame.render_widget(comment, comment_area);
    }
    fields_table(app, frame, table_area, entity, focused);
    frame.render_widget(Paragraph::new(sections), section_area);
}

/// Where the comment, the fields table and the sections go: the table
/// gets the room it needs; the sections below keep at least a third of
/// what is left when space is short.
fn split(entity: &Entity, section_count: usize, inner: Rect) -> [Rect; 3] {
    let has_comment = entity.comment.is_some();
    let height = inner.height as usize;
    let room = height.saturating_sub(usize::from(has_comment));
    let table_wants = entity.fields.len() + 1;
    let section_rows = if table_wants + section_count <= room {
        section_count
    } else {
        section_count.min(room / 3)
    };
    let table_rows = room.saturating_sub(section_rows).min(table_wants);
    let [comment, table, sections, _] = Layout::vertical([
        Constraint::Length(u16::from(has_comment)),
        Constraint::Length(table_rows as u16),
        Constraint::Length(section_rows as u16),
        Constraint::Fill(1),
    ])
    .areas(inner);
    [comment, table, sections]
}

/// The field drawn on row `y` of the pane in `area`, if any: the table
/// scrolls just enough to show the cursor, as ratatui's does.
pub fn field_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let entity = app.selected_entity()?;
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let sections = sections(app, &app.design, entity, inner.width as usize).len();
    let [_, table, _] = split(entity, sections, inner);
    let rows = table.height.saturating_sub(1) as usize;
    if y <= table.y || y >= table.bottom() {
        return None;
    }
    let focused = app.focus == Pane::Fields;
    let offset = if focused && app.field_cursor >= rows {
        app.field_cursor + 1 - rows
    } else {
        0
    };
    let at = offset + (y - table.y - 1) as usize;
    (at < entity.fields.len()).then_some(at)
}

fn fields_table(app: &App, frame: &mut Frame, area: Rect, entity: &Entity, focused: bool) {
    let design = &app.design;
    let markers: Vec<String> = entity
        .fields
        .iter()
        .map(|f| markers(design, entity, f))
        .collect();
    let widest = |texts: &mut dyn Iterator<Item = usize>, least: usize, most: usize| {
        texts.max().unwrap_or(0).clamp(least, most) as u16
    };
    let name_w = widest(&mut entity.fields.iter().map(|f| f.name.len()), 5, 24);
    let type_w = widest(
        &mut entity.fields.iter().map(|f| f.ty.to_string().len()),
        4,
        18,
    );
    let keys_w = widest(&mut markers.iter().map(String::len), 4, 11);
    let default_w = widest(
        &mut entity
            .fields
            .iter()
            .map(|f| default_text(f).chars().count()),
        7,
        24,
    );
    // Share what the fixed columns leave: take from the widest of name,
    // type and default until they fit.
    let room = area.width.saturating_sub(1 + 4 + 8 + keys_w);
    let mut widths = [name_w, type_w, default_w];
    while widths.iter().sum::<u16>() > room && widths.iter().any(|&w| w > 6) {
        let widest = (0..3).max_by_key(|&i| widths[i]).expect("three columns");
        widths[widest] -= 1;
    }
    let [name_w, type_w, default_w] = widths;
    let rows: Vec<Row> = entity
        .fields
        .iter()
        .zip(markers)
        .map(|(f, keys)| {
            let name_style = if entity
                .primary_key
                .as_ref()
                .is_some_and(|pk| pk.fields.contains(&f.id))
            {
                app.theme.primary_key
            } else if keys.contains("FK") {
                app.theme.foreign_key
            } else {
                Style::new()
            };
            Row::new(vec![
                Cell::from(f.name.clone()).style(name_style),
                Cell::from(f.ty.to_string()),
                Cell::from(if f.not_null { "✓" } else { "" }),
                Cell::from(default_text(f)).style(app.theme.dim),
                Cell::from(keys).style(app.theme.dim),
            ])
        })
        .collect();
    let header = Row::new(["Field", "Type", "Not null", "Default", "Keys"])
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
    let table = Table::new(
        rows,
        [
            Constraint::Length(name_w),
            Constraint::Length(type_w),
            Constraint::Length(8),
            Constraint::Length(default_w),
            Constraint::Length(keys_w),
        ],
    )
    .header(header)
    .column_spacing(1)
    .highlight_spacing(HighlightSpacing::Always)
    .highlight_symbol("▸")
    .row_highlight_style(app.theme.selected);
    let mut state = TableState::new().with_selected(focused.then_some(app.field_cursor));
    frame.render_stateful_widget(table, area, &mut state);
}

/// `PK FK UQ IX`: in the primary key, in a foreign key, in a unique
/// constraint or unique index, in another index.
fn markers(design: &Design, entity: &Entity, field: &Field) -> String {
    let id = &field.id;
    let mut out = Vec::new();
    if entity
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.fields.contains(id))
    {
        out.push("PK");
    }
    if design
        .relationships_from(&entity.id)
        .iter()
        .any(|r| r.fields.contains(id))
    {
        out.push("FK");
    }
    if entity.uniques.iter().any(|u| u.fields.contains(id))
        || entity
            .indexes
            .iter()
            .any(|i| i.unique && i.fields.contains(id))
    {
        out.push("UQ");
    }
    if entity
        .indexes
        .iter()
        .any(|i| !i.unique && i.fields.contains(id))
    {
        out.push("IX");
    }
    out.join(" ")
}

fn default_text(field: &Field) -> String {
    match (&field.default, field.identity) {
        (_, Some(Identity::Always)) => "identity always".into(),
        (_, Some(Identity::ByDefault)) => "identity".into(),
        (Some(d), None) => d.to_sql(),
        (None, None) => String::new(),
    }
}

/// The lines under the table: keys out and in, uniques, indexes, checks.
fn sections<'a>(app: &App, design: &Design, entity: &Entity, width: usize) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let names = |ids: &[crate::core::ids::FieldId]| entity.field_names(ids).join(", ");
    for r in design.relationships_from(&entity.id) {
        let Some(target) = design.entity(&r.to) else {
            continue;
        };
        let on_delete = match r.on_delete {
            Some(action) => format!("on delete {}", action.as_sql().to_lowercase()),
            None => "on delete unspecified".into(),
        };
        let mut text = format!(
            "→ {} → {}({})  {on_delete}",
            names(&r.fields),
            target.name,
            target.field_names(&r.references).join(", ")
        );
        if r.deferrable.is_deferrable() {
            text.push_str(&format!("  {}", r.deferrable.describe()));
        }
        lines.push(Line::styled(fit(&text, width), app.theme.foreign_key));
    }
    let mut referrers: Vec<String> = Vec::new();
    for r in design.relationships_to(&entity.id) {
        if let Some(child) = design.entity(&r.from) {
            let name = format!("{}.{}", child.name, child.field_names(&r.fields).join("+"));
            if !referrers.contains(&name) {
                referrers.push(name);
            }
        }
    }
    if !referrers.is_empty() {
        let text = format!("← {}", referrers.join(", "));
        lines.push(Line::styled(fit(&text, width), app.theme.dim));
    }
    for u in &entity.uniques {
        let text = format!("unique ({})", names(&u.fields));
        lines.push(Line::raw(fit(&text, width)));
    }
    for i in &entity.indexes {
        let mut text = format!(
            "{}index {} ({})",
            if i.unique { "unique " } else { "" },
            design.index_name(entity, i),
            names(&i.fields)
        );
        if let Some(p) = &i.predicate {
            text.push_str(&format!(" where {p}"));
        }
        lines.push(Line::raw(fit(&text, width)));
    }
    for c in &entity.checks {
        let text = format!("check {}: {}", design.check_name(entity, c), c.expr);
        lines.push(Line::raw(fit(&text, width)));
    }
    lines
}

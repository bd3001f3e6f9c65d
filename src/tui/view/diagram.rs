//! The diagram view: entities as boxes with their key fields, foreign
//! keys as lines from the child's top to the parent's bottom (parents
//! above children). Only the boxes and lines that fall in the window are
//! drawn, from the layout the app keeps, so a design of thousands of
//! entities draws as fast as a small one.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::pane_block;
use crate::tui::app::App;
use crate::tui::diagram::{Area, EntityBox, RowKind};

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let diagram = app.diagram.as_ref();
    let title = match diagram {
        Some(d) => format!(
            " Diagram · {} entities in {} layers · parents above children ",
            d.boxes.len(),
            d.layers.len()
        ),
        None => " Diagram ".to_owned(),
    };
    let block = pane_block(app, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(diagram) = diagram.filter(|d| !d.boxes.is_empty()) else {
        frame.render_widget(
            Paragraph::new("No entities yet: :entity add NAME").style(app.theme.dim),
            inner,
        );
        return;
    };
    let (ox, oy) = app.diagram_offset;
    let window = Area {
        x: ox,
        y: oy,
        w: i32::from(inner.width),
        h: i32::from(inner.height),
    };
    let mut canvas = Canvas {
        window,
        screen: inner,
        mask: vec![0; inner.width as usize * inner.height as usize],
    };
    for link in diagram
        .links
        .iter()
        .filter(|l| l.bounds.intersects(&window))
    {
        for pair in link.points.windows(2) {
            canvas.segment(pair[0], pair[1]);
        }
    }
    let buf = frame.buffer_mut();
    canvas.paint_lines(buf, app.theme.dim);
    let selected = app.selected.as_ref();
    for b in diagram.boxes.iter().filter(|b| b.area.intersects(&window)) {
        canvas.entity(app, buf, b, selected == Some(&b.entity));
    }
}

/// The window onto the diagram's plane, with the line directions that
/// pass through each of its cells.
struct Canvas {
    window: Area,
    screen: Rect,
    mask: Vec<u8>,
}

impl Canvas {
    fn cell(&self, x: i32, y: i32) -> Option<usize> {
        self.window
            .contains(x, y)
            .then(|| ((y - self.window.y) * self.window.w + (x - self.window.x)) as usize)
    }

    /// Marks a straight (horizontal or vertical) segment, clipped to the
    /// window.
    fn segment(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) {
        if x0 == x1 {
            let (lo, hi) = (y0.min(y1), y0.max(y1));
            let from = lo.max(self.window.y - 1);
            let to = hi.min(self.window.bottom());
            for y in from..=to {
                let bits = if y > lo { UP } else { 0 } | if y < hi { DOWN } else { 0 };
                if let Some(i) = self.cell(x0, y) {
                    self.mask[i] |= bits;
                }
            }
        } else {
            let (lo, hi) = (x0.min(x1), x0.max(x1));
            let from = lo.max(self.window.x - 1);
            let to = hi.min(self.window.right());
            for x in from..=to {
                let bits = if x > lo { LEFT } else { 0 } | if x < hi { RIGHT } else { 0 };
                if let Some(i) = self.cell(x, y0) {
                    self.mask[i] |= bits;
                }
            }
        }
    }

    fn at(&self, x: i32, y: i32) -> (u16, u16) {
        (
            self.screen.x + (x - self.window.x) as u16,
            self.screen.y + (y - self.window.y) as u16,
        )
    }

    fn paint_lines(&self, buf: &mut Buffer, style: Style) {
        for (i, &bits) in self.mask.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            let (x, y) = (i as i32 % self.window.w, i as i32 / self.window.w);
            let (sx, sy) = self.at(self.window.x + x, self.window.y + y);
            buf[(sx, sy)].set_char(glyph(bits)).set_style(style);
        }
    }

    /// Draws a box over whatever lines pass behind it; lines that end on
    /// its border join it there.
    fn entity(&self, app: &App, buf: &mut Buffer, b: &EntityBox, selected: bool) {
        let a = b.area;
        let heavy = selected;
        let border = if selected {
            app.theme.border_focused
        } else {
            app.theme.border
        };
        for y in a.y.max(self.window.y)..a.bottom().min(self.window.bottom()) {
            for x in a.x.max(self.window.x)..a.right().min(self.window.right()) {
                let (top, bottom) = (y == a.y, y == a.bottom() - 1);
                let (left, right) = (x == a.x, x == a.right() - 1);
                let line = self.cell(x, y).map_or(0, |i| self.mask[i]);
                let ch = match (top, bottom, left, right) {
                    (true, _, true, _) => corner(heavy, DOWN | RIGHT),
                    (true, _, _, true) => corner(heavy, DOWN | LEFT),
                    (_, true, true, _) => corner(heavy, UP | RIGHT),
                    (_, true, _, true) => corner(heavy, UP | LEFT),
                    (true, ..) => corner(heavy, LEFT | RIGHT | (line & UP)),
                    (_, true, ..) => corner(heavy, LEFT | RIGHT | (line & DOWN)),
                    (_, _, true, _) | (_, _, _, true) => corner(heavy, UP | DOWN),
                    _ => ' ',
                };
                let (sx, sy) = self.at(x, y);
                let style = if ch == ' ' { Style::new() } else { border };
                buf[(sx, sy)].set_char(ch).set_style(style);
            }
        }
        // The name in the top border, the key rows inside.
        let name_style = if selected {
            app.theme.selected
        } else {
            app.theme.title
        };
        let room = (a.w - 4).max(0) as usize;
        self.text(
            buf,
            a.x + 1,
            a.y,
            &format!(" {} ", fit(&b.name, room)),
            name_style,
        );
        for (i, (kind, text)) in b.rows.iter().enumerate() {
            let y = a.y + 1 + i as i32;
            let style = match kind {
                RowKind::PrimaryKey => app.theme.primary_key,
                RowKind::ForeignKey | RowKind::Both => app.theme.foreign_key,
                RowKind::Rest => app.theme.dim,
            };
            let room = (a.w - 3).max(0) as usize;
            let row = format!("{}{text}", kind.prefix());
            self.text(buf, a.x + 2, y, &fit(&row, room), style);
        }
    }

    /// Writes text on the plane, clipped to the window.
    fn text(&self, buf: &mut Buffer, x: i32, y: i32, text: &str, style: Style) {
        if y < self.window.y || y >= self.window.bottom() {
            return;
        }
        for (i, ch) in text.chars().enumerate() {
            let cx = x + i as i32;
            if cx >= self.window.x && cx < self.window.right() {
                let (sx, sy) = self.at(cx, y);
                buf[(sx, sy)].set_char(ch).set_style(style);
            }
        }
    }
}

fn fit(text: &str, width: usize) -> String {
    super::fit(text, width)
}

/// The box-drawing character for lines leaving a cell in these directions.
fn glyph(bits: u8) -> char {
    corner(false, bits)
}

fn corner(heavy: bool, bits: u8) -> char {
    let (light, thick) = match bits {
        b if b == UP | DOWN || b == UP || b == DOWN => ('│', '┃'),
        b if b == LEFT | RIGHT || b == LEFT || b == RIGHT => ('─', '━'),
        b if b == DOWN | RIGHT => ('┌', '┏'),
        b if b == DOWN | LEFT => ('┐', '┓'),
        b if b == UP | RIGHT => ('└', '┗'),
        b if b == UP | LEFT => ('┘', '┛'),
        b if b == UP | DOWN | RIGHT => ('├', '┣'),
        b if b == UP | DOWN | LEFT => ('┤', '┫'),
        b if b == DOWN | LEFT | RIGHT => ('┬', '┳'),
        b if b == UP | LEFT | RIGHT => ('┴', '┻'),
        b if b == UP | DOWN | LEFT | RIGHT => ('┼', '╋'),
        _ => (' ', ' '),
    };
    if heavy { thick } else { light }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_join_the_directions() {
        assert_eq!(glyph(UP | DOWN), '│');
        assert_eq!(glyph(DOWN | LEFT | RIGHT), '┬');
        assert_eq!(glyph(UP | RIGHT), '└');
        assert_eq!(corner(true, LEFT | RIGHT | UP), '┻');
    }
}

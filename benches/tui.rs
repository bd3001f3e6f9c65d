//! How fast the designer answers on generated designs of 5,000 and 50,000
//! entities (about ten fields and one foreign key each; `PLINTH_TUI_SIZES`
//! picks others), drawn at 120×40 into ratatui's test backend:
//!
//! - `first_frame`: open (build the app, run every check) and draw;
//! - `move_and_redraw`: move the entity selection, draw;
//! - `edit_check_redraw`: apply an edit through `update` with the checks
//!   run inline, draw (undo and redo of one field, turn about);
//! - `edit_redraw_background`: the same edit with the checks handed to
//!   the worker, as the designer runs them: what typing waits for;
//! - `edit_redraw_background_busy_worker`: the same while the worker is
//!   still checking the previous edit, so the design is copied first;
//! - `checks_off_the_input_path`: the worker's job for one edit.
//! - `diagram_layout_and_draw`: two diagram layouts (after an edit and
//!   after its undo) and two draws;
//! - `diagram_move_and_redraw`: move the selection in the diagram, draw.
//!
//! The target is a frame in under 16 ms. Run with `cargo bench --bench tui`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use plinth::core::ids::IdGen;
use plinth::core::model::Design;
use plinth::core::synthetic;
use plinth::tui::{App, Effect, Msg, Opened, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SIZE: (u16, u16) = (120, 40);

fn open(design: Design) -> App {
    let mut app = App::with_ids(Opened::new("bench.ron", design), IdGen::seeded(1));
    app.update(Msg::Resize(SIZE.0, SIZE.1));
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("a test terminal")
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| view::draw(app, frame))
        .expect("drawn");
}

/// Puts the app in the middle of the design, on an edit that can be
/// undone and redone.
fn ready(app: &mut App) {
    app.update(Msg::Command("field add table_02500s.note text".into()));
}

fn tui(c: &mut Criterion) {
    let sizes: Vec<usize> = std::env::var("PLINTH_TUI_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("a size"))
                .collect()
        })
        .unwrap_or_else(|| vec![5_000, 50_000]);
    for size in sizes {
        at_size(c, size);
    }
}

fn at_size(c: &mut Criterion, size: usize) {
    let design = synthetic::design(size, 42);
    let mut group = c.benchmark_group(format!("tui_{size}"));
    group.sample_size(if size >= 50_000 { 10 } else { 20 });

    group.bench_function("first_frame", |b| {
        let mut terminal = terminal();
        b.iter_batched(
            || design.clone(),
            |design| {
                let app = open(design);
                draw(&mut terminal, &app);
                app
            },
            BatchSize::LargeInput,
        );
    });

    group.bench_function("move_and_redraw", |b| {
        let mut app = open(design.clone());
        let mut terminal = terminal();
        let mut down = true;
        b.iter(|| {
            key(&mut app, if down { KeyCode::Down } else { KeyCode::Up });
            down = !down;
            draw(&mut terminal, &app);
        });
    });

    group.bench_function("edit_check_redraw", |b| {
        let mut app = open(design.clone());
        ready(&mut app);
        let mut terminal = terminal();
        let mut undo = true;
        b.iter(|| {
            let code = if undo { 'u' } else { 'y' };
            let modifiers = if undo {
                KeyModifiers::NONE
            } else {
                KeyModifiers::CONTROL
            };
            app.update(Msg::Key(KeyEvent::new(KeyCode::Char(code), modifiers)));
            undo = !undo;
            draw(&mut terminal, &app);
        });
    });

    for busy in [false, true] {
        let name = if busy {
            "edit_redraw_background_busy_worker"
        } else {
            "edit_redraw_background"
        };
        group.bench_function(name, |b| {
            let mut app = open(design.clone()).with_background_checks();
            ready(&mut app);
            let mut terminal = terminal();
            let mut undo = true;
            let mut held = Vec::new();
            b.iter(|| {
                let code = if undo { 'u' } else { 'y' };
                let modifiers = if undo {
                    KeyModifiers::NONE
                } else {
                    KeyModifiers::CONTROL
                };
                let fx = app.update(Msg::Key(KeyEvent::new(KeyCode::Char(code), modifiers)));
                undo = !undo;
                draw(&mut terminal, &app);
                // A busy worker still holds the design of the last edit
                // when the next one comes, so that edit copies the design
                // first; an idle one has let go of it.
                if busy {
                    held.push(fx);
                    if held.len() > 1 {
                        black_box(held.remove(0));
                    }
                }
            });
        });
    }

    group.bench_function("checks_off_the_input_path", |b| {
        let mut app = open(design.clone()).with_background_checks();
        ready(&mut app);
        let fx = key(&mut app, KeyCode::Char('u'));
        let Some(Effect::RunChecks(job)) = fx.into_iter().next() else {
            panic!("an edit asks for checks");
        };
        b.iter_batched(
            || job.clone(),
            |job| job.run(&mut plinth::core::check::Checked::default()),
            BatchSize::SmallInput,
        );
    });

    group.bench_function("diagram_layout_and_draw", |b| {
        let mut app = open(design.clone());
        let mut terminal = terminal();
        b.iter(|| {
            // Each edit lays the diagram out again: an undo or a redo.
            key(&mut app, KeyCode::Char('v'));
            draw(&mut terminal, &app);
            key(&mut app, KeyCode::Esc);
            app.update(Msg::Command("entity add bench_probe".into()));
            key(&mut app, KeyCode::Char('v'));
            draw(&mut terminal, &app);
            key(&mut app, KeyCode::Char('u'));
            key(&mut app, KeyCode::Esc);
        });
    });

    group.bench_function("diagram_move_and_redraw", |b| {
        let mut app = open(design.clone());
        key(&mut app, KeyCode::Char('v'));
        let mut terminal = terminal();
        let mut step = 0;
        b.iter(|| {
            let code = [KeyCode::Down, KeyCode::Right, KeyCode::Up, KeyCode::Left][step % 4];
            step += 1;
            key(&mut app, code);
            draw(&mut terminal, &app);
        });
    });

    group.finish();
}

criterion_group!(benches, tui);
criterion_main!(benches);

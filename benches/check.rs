//! How long a full check takes on generated designs of 500, 5,000 and
//! 50,000 entities (about ten fields and one foreign key each). The target
//! is under 50 ms at 5,000 entities, growing no worse than n·log n.
//!
//! Run with `cargo bench --bench check`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use plinth::core::check::check;
use plinth::core::ids::IdGen;
use plinth::core::synthetic;

fn full_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for entities in [500, 5_000, 50_000] {
        let design = synthetic::design(entities, 42);
        group.bench_with_input(BenchmarkId::from_parameter(entities), &design, |b, d| {
            let mut ids = IdGen::seeded(1);
            b.iter(|| black_box(check(d, &d.checks, &mut ids)));
        });
    }
    group.finish();
}

criterion_group!(benches, full_check);
criterion_main!(benches);

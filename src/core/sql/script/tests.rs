use proptest::collection::vec;
use proptest::prelude::*;

use super::*;

fn texts_with(sql: &str, strings: StandardStrings) -> Vec<&str> {
    match split(sql, strings) {
        Ok(statements) => statements.iter().map(|s| s.text).collect(),
        Err(e) => panic!("{sql:?} does not split: {e}"),
    }
}

fn texts(sql: &str) -> Vec<&str> {
    texts_with(sql, StandardStrings::On)
}

fn error(sql: &str) -> ScriptError {
    match split(sql, StandardStrings::On) {
        Ok(statements) => panic!("{sql:?} splits into {statements:#?}"),
        Err(e) => e,
    }
}

#[test]
fn escape_strings_hold_semicolons_and_escaped_quotes() {
    assert_eq!(
        texts("INSERT INTO t VALUES (E'it\\'s; fine', e'\\\\'); SELECT 2;"),
        [
            "INSERT INTO t VALUES (E'it\\'s; fine', e'\\\\');",
            "SELECT 2;"
        ]
    );
    assert_eq!(
        texts("SELECT E'a''b;c'; SELECT 2"),
        ["SELECT E'a''b;c';", "SELECT 2"]
    );
}

#[test]
fn nested_block_comments_hide_what_is_inside() {
    assert_eq!(
        texts("/* /* */ ; DROP TABLE x; -- */ SELECT 1;"),
        ["SELECT 1;"]
    );
    assert_eq!(
        texts("SELECT 1 /* a /* b /* c */ ; */ ; */ + 2; SELECT 3;"),
        ["SELECT 1 /* a /* b /* c */ ; */ ; */ + 2;", "SELECT 3;"]
    );
    // An operator that runs into a comment stops where the comment starts.
    assert_eq!(
        texts("SELECT 1+/* x; */2; SELECT 3;"),
        ["SELECT 1+/* x; */2;", "SELECT 3;"]
    );
}

#[test]
fn dollar_quotes_end_at_their_own_tag_only() {
    let sql = "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; $$ ; $Fn$; END $fn$ LANGUAGE plpgsql;\n\
               DO $$ BEGIN PERFORM 1; END $$;\n\
               SELECT $é$;$é$, $_x1$ $ $_x1$;";
    assert_eq!(
        texts(sql),
        [
            "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; $$ ; $Fn$; END $fn$ LANGUAGE plpgsql;",
            "DO $$ BEGIN PERFORM 1; END $$;",
            "SELECT $é$;$é$, $_x1$ $ $_x1$;",
        ]
    );
}

#[test]
fn parameters_and_identifiers_with_dollars_are_not_dollar_quotes() {
    assert_eq!(
        texts("SELECT a$b$c; SELECT 2;"),
        ["SELECT a$b$c;", "SELECT 2;"]
    );
    assert_eq!(
        texts("SELECT x$$y; SELECT 2;"),
        ["SELECT x$$y;", "SELECT 2;"]
    );
    assert_eq!(
        texts("SELECT $1; SELECT $2a$$; SELECT 3;"),
        ["SELECT $1;", "SELECT $2a$$;", "SELECT 3;"]
    );
    // `$1` and then a `$$` quote, as psql reads it.
    assert_eq!(
        texts("SELECT $1$$; SELECT 8; $$;"),
        ["SELECT $1$$; SELECT 8; $$;"]
    );
    // A tag may not start with a digit: `$1$` opens nothing.
    assert_eq!(texts("SELECT $1$; SELECT 2;"), ["SELECT $1$;", "SELECT 2;"]);
    // A lone `$` and a tag without its closing `$`.
    assert_eq!(texts("SELECT $a; SELECT $;"), ["SELECT $a;", "SELECT $;"]);
}

#[test]
fn numbers_take_trailing_junk_as_psql_does() {
    // `1e$$` is one (bad) number token, so `$$` opens nothing ...
    assert_eq!(
        texts("SELECT 1e$$; SELECT 2;"),
        ["SELECT 1e$$;", "SELECT 2;"]
    );
    assert_eq!(
        texts("SELECT 1e5$$; SELECT 2;"),
        ["SELECT 1e5$$;", "SELECT 2;"]
    );
    // ... but after `1e+`, `1.` and `1` it does.
    for number in ["1e+", "1.", "1"] {
        let sql = format!("SELECT {number}$$; SELECT 2; $$;");
        assert_eq!(texts(&sql), [sql.as_str()], "{number}");
    }
    assert_eq!(
        texts("SELECT 1..2; SELECT .5;"),
        ["SELECT 1..2;", "SELECT .5;"]
    );
}

#[test]
fn quoted_identifiers_hold_semicolons_and_doubled_quotes() {
    assert_eq!(
        texts("CREATE TABLE \"a;\"\"b\" (\"x;\" int); SELECT U&\"d\\0061;\"; SELECT 3;"),
        [
            "CREATE TABLE \"a;\"\"b\" (\"x;\" int);",
            "SELECT U&\"d\\0061;\";",
            "SELECT 3;"
        ]
    );
}

#[test]
fn standard_strings_double_their_quotes_and_keep_backslashes() {
    assert_eq!(
        texts("SELECT 'it''s; fine', N'a;b'; SELECT 'a\\'; SELECT 3;"),
        [
            "SELECT 'it''s; fine', N'a;b';",
            "SELECT 'a\\';",
            "SELECT 3;"
        ]
    );
    // With standard_conforming_strings off, a plain (or N) string reads
    // backslashes as escapes, as psql reads it then.
    assert_eq!(
        texts_with(
            "SELECT 'a\\'; b', N'c\\';d'; SELECT 2;",
            StandardStrings::Off
        ),
        ["SELECT 'a\\'; b', N'c\\';d';", "SELECT 2;"]
    );
    let e = split("SELECT 'a\\'; SELECT 2;", StandardStrings::Off).unwrap_err();
    assert_eq!(e.problem, Problem::UnterminatedString);
    assert_eq!(e.position, Position { line: 1, column: 8 });
}

#[test]
fn unicode_strings_never_take_backslash_escapes() {
    for strings in [StandardStrings::On, StandardStrings::Off] {
        assert_eq!(
            texts_with("SELECT U&'d\\0061t;''x', u&'\\'; SELECT 2;", strings),
            ["SELECT U&'d\\0061t;''x', u&'\\';", "SELECT 2;"]
        );
    }
    // `U&` not followed by a quote is `U`, `&`: the quote after a space is a plain string.
    assert_eq!(
        texts("SELECT u& 'a;b'; SELECT 2;"),
        ["SELECT u& 'a;b';", "SELECT 2;"]
    );
}

#[test]
fn bit_strings_end_at_their_first_quote() {
    assert_eq!(
        texts("SELECT B'01;', X'ff;'; SELECT 2;"),
        ["SELECT B'01;', X'ff;';", "SELECT 2;"]
    );
    // `B'01''…'` is B'01' and then a plain string, which reads escapes
    // when standard_conforming_strings is off.
    assert_eq!(
        texts_with(
            "SELECT B'01''\\'; SELECT 2;'; SELECT 3;",
            StandardStrings::Off
        ),
        ["SELECT B'01''\\'; SELECT 2;';", "SELECT 3;"]
    );
}

#[test]
fn line_comments_run_to_the_end_of_the_line_outside_strings_only() {
    assert_eq!(
        texts("SELECT 1 -- not the end; SELECT 2\n; SELECT '--'; SELECT 3 --x\r;"),
        [
            "SELECT 1 -- not the end; SELECT 2\n;",
            "SELECT '--';",
            "SELECT 3 --x\r;"
        ]
    );
}

#[test]
fn semicolons_inside_parentheses_do_not_end_a_statement() {
    // psql sends `SELECT (1; 2)` whole (the server then refuses it); an
    // unmatched `)` does not go below zero.
    assert_eq!(
        texts("SELECT (1; (2;)); SELECT 1); SELECT 3;"),
        ["SELECT (1; (2;));", "SELECT 1);", "SELECT 3;"]
    );
}

#[test]
fn routine_bodies_with_begin_atomic_are_one_statement() {
    let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n\
               BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\n\
               create or replace procedure p() language sql begin atomic select 1; end;\n\
               BEGIN; SELECT 1; END;\n\
               CREATE TABLE t (x int CHECK (x > 0)); CREATE FUNCTION g(begin int) RETURNS int RETURN 1; SELECT 9;";
    assert_eq!(
        texts(sql),
        [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;",
            "create or replace procedure p() language sql begin atomic select 1; end;",
            "BEGIN;",
            "SELECT 1;",
            "END;",
            "CREATE TABLE t (x int CHECK (x > 0));",
            "CREATE FUNCTION g(begin int) RETURNS int RETURN 1;",
            "SELECT 9;",
        ]
    );
    // psql's heuristic counts a function named `begin` as a BEGIN block:
    // the rest of the script is then one statement, as psql sends it.
    assert_eq!(
        texts("CREATE FUNCTION begin() RETURNS int RETURN 1; SELECT 2;"),
        ["CREATE FUNCTION begin() RETURNS int RETURN 1; SELECT 2;"]
    );
}

#[test]
fn pieces_of_only_whitespace_and_comments_are_dropped() {
    assert_eq!(
        texts(
            "-- title; with a semicolon\n;\n/* only; */ ;  ;\n SELECT 1; -- trailing\n/* end */\n"
        ),
        ["SELECT 1;"]
    );
    assert!(texts("").is_empty());
    assert!(texts(" -- nothing\n/* at /* all */ */").is_empty());
}

#[test]
fn statements_keep_their_text_and_the_last_may_lack_a_semicolon() {
    let sql = "  CREATE TABLE x (\n    a int -- why; because\n  ) ;\n\nSELECT 2 -- the end\n";
    let statements = split(sql, StandardStrings::On).unwrap();
    assert_eq!(
        statements.iter().map(|s| s.text).collect::<Vec<_>>(),
        [
            "CREATE TABLE x (\n    a int -- why; because\n  ) ;",
            "SELECT 2"
        ]
    );
    assert_eq!(statements[0].offset, 2);
    assert_eq!(&sql[statements[1].offset..statements[1].end()], "SELECT 2");
    assert_eq!(
        Position::of(sql, statements[1].offset),
        Position { line: 5, column: 1 }
    );
}

#[test]
fn strings_continue_across_a_line_break_only_within_a_psql_line() {
    // psql lexes line by line: after a line break the next quote starts a
    // new plain string, which takes `\'` as its end.
    assert_eq!(
        texts("SELECT E'a'\n'b\\'; SELECT 2;"),
        ["SELECT E'a'\n'b\\';", "SELECT 2;"]
    );
    assert_eq!(
        texts("SELECT E'a'\n  -- note\n  'b\\'; SELECT 2;"),
        ["SELECT E'a'\n  -- note\n  'b\\';", "SELECT 2;"]
    );
    // A lone `\r` is a line break inside one psql line: the E string goes on.
    assert_eq!(
        texts("SELECT E'a'\r'b\\'; c'; SELECT 2;"),
        ["SELECT E'a'\r'b\\'; c';", "SELECT 2;"]
    );
    assert_eq!(
        texts("SELECT E'a' -- x\r 'b\\'; c'; SELECT 2;"),
        ["SELECT E'a' -- x\r 'b\\'; c';", "SELECT 2;"]
    );
    // A quote that ends its line leaves psql waiting; `\r'` on the next
    // line goes on.
    assert_eq!(
        texts("SELECT E'a'\n\r'b\\'; c'; SELECT 2;"),
        ["SELECT E'a'\n\r'b\\'; c';", "SELECT 2;"]
    );
    // Without a line break it is a new string.
    assert_eq!(
        texts("SELECT E'a' 'b\\'; SELECT 2;"),
        ["SELECT E'a' 'b\\';", "SELECT 2;"]
    );
    // `\r\n` line ends are stripped by psql: no continuation.
    assert_eq!(
        texts("SELECT E'a'\r\n'b\\'; SELECT 2;"),
        ["SELECT E'a'\r\n'b\\';", "SELECT 2;"]
    );
}

#[test]
fn unterminated_constructs_are_errors_with_their_place() {
    let cases: [(&str, Problem, usize, usize); 7] = [
        ("SELECT 1;\nSELECT 'abc;", Problem::UnterminatedString, 2, 8),
        (
            "SELECT 1;\n  SELECT E'it\\'s;",
            Problem::UnterminatedString,
            2,
            10,
        ),
        ("SELECT 'é', U&'x", Problem::UnterminatedString, 1, 13),
        (
            "SELECT 1;\nSELECT \"a;b",
            Problem::UnterminatedIdentifier,
            2,
            8,
        ),
        (
            "SELECT 1;\nDO $fn$ BEGIN END $$;",
            Problem::UnterminatedDollarQuote("$fn$".into()),
            2,
            4,
        ),
        (
            "é /* a /* b */ ;\nSELECT 1;",
            Problem::UnterminatedComment,
            1,
            3,
        ),
        (
            "SELECT 1;\n\\set x 1\n",
            Problem::MetaCommand("\\set".into()),
            2,
            1,
        ),
    ];
    for (sql, problem, line, column) in cases {
        let e = error(sql);
        assert_eq!(e.problem, problem, "{sql:?}");
        assert_eq!(e.position, Position { line, column }, "{sql:?}");
        assert_eq!(Position::of(sql, e.offset), e.position);
    }
    assert_eq!(
        error("SELECT 1 \\; SELECT 2;").to_string(),
        "1:10: psql meta-command `\\;`: plinth runs SQL statements only, not psql's backslash commands"
    );
}

#[test]
fn copies_through_psql_are_refused_before_their_rows() {
    // psql would read the lines after `FROM STDIN` as rows, up to `\.`.
    let sql = "CREATE TABLE t (a text);\n  copy t (a) FROM stdin WITH (FORMAT text);\nit's\n\\.\n";
    let (before, e) = split_prefix(sql, 0, StandardStrings::On);
    assert_eq!(
        before.iter().map(|s| s.text).collect::<Vec<_>>(),
        ["CREATE TABLE t (a text);"]
    );
    let e = e.expect("refused");
    assert_eq!(e.problem, Problem::ClientCopy(CopyDirection::FromStdin));
    assert_eq!(e.position, Position { line: 2, column: 3 });
    assert!(
        e.to_string()
            .starts_with("2:3: `COPY ... FROM STDIN` takes its rows"),
        "{e}"
    );
    assert_eq!(
        error("COPY (SELECT 1) TO STDOUT").problem,
        Problem::ClientCopy(CopyDirection::ToStdout)
    );
    // COPY with the server's files, and the words elsewhere, are fine.
    assert_eq!(
        texts(
            "COPY t FROM '/srv/stdin'; COPY (SELECT 'FROM STDIN') TO '/tmp/x'; SELECT stdin FROM stdin;"
        ),
        [
            "COPY t FROM '/srv/stdin';",
            "COPY (SELECT 'FROM STDIN') TO '/tmp/x';",
            "SELECT stdin FROM stdin;"
        ]
    );
}

#[test]
fn tokens_show_what_a_statement_is_past_its_comments() {
    let statements = split(
        "/* why */ CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);\n\
         -- note\nSELECT 'CONCURRENTLY', \"concurrently\" /* concurrently */;",
        StandardStrings::On,
    )
    .unwrap();
    let index = &statements[0];
    assert!(index.starts_with(&["create", "UNIQUE", "Index"]));
    assert!(!index.starts_with(&["CREATE", "INDEX"]));
    assert!(index.has_word("concurrently"));
    assert_eq!(index.tokens[0].text, "CREATE");
    assert_eq!(index.tokens.last().map(|t| t.text), Some(";"));
    let select = &statements[1];
    assert!(select.starts_with(&["SELECT"]));
    assert!(!select.has_word("CONCURRENTLY"));
    let kinds: Vec<TokenKind> = select.tokens.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TokenKind::Word,
            TokenKind::String,
            TokenKind::Punctuation,
            TokenKind::QuotedIdentifier,
            TokenKind::Punctuation,
        ]
    );
}

#[test]
fn splitting_can_resume_where_a_statement_ended() {
    let sql = "SET standard_conforming_strings = off;\nSELECT 'a\\'; b';\nSELECT 2;";
    // Read with it on, the rest would not split at all.
    assert!(split(sql, StandardStrings::On).is_err());
    let first_end = sql.find('\n').unwrap();
    let rest = split_from(sql, first_end, StandardStrings::Off).unwrap();
    assert_eq!(
        rest.iter().map(|s| s.text).collect::<Vec<_>>(),
        ["SELECT 'a\\'; b';", "SELECT 2;"]
    );
    assert_eq!(
        Position::of(sql, rest[1].offset),
        Position { line: 3, column: 1 }
    );
    // Split as far as it goes, the statements before the error are kept
    // (here `b';…`, at the `b`, opens a bit string that never closes).
    let (before, error) = split_prefix(sql, 0, StandardStrings::On);
    assert_eq!(
        before.iter().map(|s| s.text).collect::<Vec<_>>(),
        ["SET standard_conforming_strings = off;", "SELECT 'a\\';"]
    );
    assert_eq!(
        error.map(|e| (e.position, e.problem)),
        Some((
            Position {
                line: 2,
                column: 14
            },
            Problem::UnterminatedString
        ))
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    assert_eq!(Position::of("é\nàé x", 7), Position { line: 2, column: 3 });
    assert_eq!(Position { line: 2, column: 3 }.to_string(), "2:3");
}

// The property test: scripts built from random statements full of the
// constructs above split back into exactly those statements.

/// Characters that mean something to a lexer somewhere.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just(';'),
        Just('\''),
        Just('"'),
        Just('\\'),
        Just('$'),
        Just('-'),
        Just('/'),
        Just('*'),
        Just('\n'),
        Just(' '),
        Just('('),
        Just(')'),
        Just('é'),
        Just('😀'),
        proptest::char::range('a', 'z'),
    ]
}

fn tricky_text() -> impl Strategy<Value = String> {
    vec(tricky_char(), 0..10).prop_map(String::from_iter)
}

/// Text for inside a block comment: no `*` or `/`, so it cannot open or
/// close one by accident.
fn comment_text() -> impl Strategy<Value = String> {
    tricky_text().prop_map(|t| t.replace(['*', '/'], "."))
}

fn block_comment() -> impl Strategy<Value = String> {
    (
        comment_text(),
        proptest::option::of(comment_text()),
        comment_text(),
    )
        .prop_map(|(a, nested, b)| match nested {
            Some(n) => format!("/*{a}/*{n}*/{b}*/"),
            None => format!("/*{a}{b}*/"),
        })
}

fn dollar_quote() -> impl Strategy<Value = String> {
    let tag = prop_oneof![Just(""), Just("fn"), Just("_x1"), Just("é"), Just("Q")];
    (tag, tricky_text()).prop_filter_map("the body holds the delimiter", |(tag, body)| {
        let delimiter = format!("${tag}$");
        let quoted = format!("{body}{delimiter}");
        (quoted.find(&delimiter) == Some(body.len())).then(|| format!("{delimiter}{quoted}"))
    })
}

fn word() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_$]{0,5}".prop_filter("a word that changes psql's nesting", |w| {
        !["create", "begin", "end", "case"].contains(&w.as_str())
    })
}

/// One piece of a statement that holds no semicolon psql would split at.
fn part() -> impl Strategy<Value = String> {
    let text = tricky_text;
    prop_oneof![
        word(),
        text().prop_map(|t| format!("'{}'", t.replace('\'', "''"))),
        text().prop_map(|t| format!("E'{}'", t.replace('\\', "\\\\").replace('\'', "\\'"))),
        text().prop_map(|t| format!("e'{}'", t.replace('\\', "\\\\").replace('\'', "''"))),
        text().prop_map(|t| format!("U&'{}'", t.replace('\'', "''"))),
        text().prop_map(|t| format!("\"{}\"", t.replace('"', "\"\""))),
        text().prop_map(|t| format!("U&\"{}\"", t.replace('"', "\"\""))),
        "[01]{0,6}".prop_map(|b| format!("B'{b}'")),
        "[0-9a-f]{0,6}".prop_map(|x| format!("X'{x}'")),
        dollar_quote(),
        block_comment(),
        text().prop_map(|t| format!("--{}\n", t.replace(['\n', '\r'], " "))),
        (word(), text()).prop_map(|(w, t)| format!("({w} ; '{}')", t.replace('\'', "''"))),
        Just("$1".to_owned()),
        Just("a$b$c".to_owned()),
        Just("1.5e3".to_owned()),
        Just(".5".to_owned()),
        prop_oneof![
            Just("+"),
            Just("::"),
            Just("<>"),
            Just("||"),
            Just("="),
            Just(",")
        ]
        .prop_map(str::to_owned),
    ]
}

/// Whitespace and comments between the parts of a statement.
fn inner_gap() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(" "),
        Just("\n"),
        Just("\t"),
        Just(" /* c; */ "),
        Just(" -- c; '\n"),
        Just(" /* a /* b; */ */\n"),
    ]
}

/// What may stand between statements: blanks, comments, empty pieces.
fn outer_gap() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(" "),
        Just("\n"),
        Just("\n-- note; 'x\n"),
        Just("\n/* gap; */\n"),
        Just(" ; "),
        Just("\n/* only */ ;\n"),
        Just(" ;;\n"),
    ]
}

/// A statement: its text up to its last token, and what comes between
/// that and its semicolon.
fn statement() -> impl Strategy<Value = (String, &'static str)> {
    let plain = (vec((inner_gap(), part()), 0..6), word()).prop_map(|(parts, last)| {
        let mut s = "SELECT".to_owned();
        for (gap, part) in parts {
            s.push_str(gap);
            s.push_str(&part);
        }
        format!("{s} {last}")
    });
    let routine = (
        prop_oneof![
            Just("CREATE FUNCTION f() RETURNS int LANGUAGE sql"),
            Just("create or replace procedure p() language sql"),
        ],
        part(),
    )
        .prop_map(|(head, part)| {
            format!("{head} BEGIN ATOMIC SELECT {part}; SELECT CASE WHEN true THEN 1 END; END")
        });
    (
        prop_oneof![4 => plain, 1 => routine],
        prop_oneof![Just(""), inner_gap()],
    )
}

proptest! {
    #[test]
    fn scripts_split_back_into_the_statements_they_were_built_from(
        statements in vec((outer_gap(), statement()), 0..8),
        open_end in any::<bool>(),
        tail in prop_oneof![Just(""), Just("\n"), Just("\n-- end; '\n"), Just(" /* end; */")],
    ) {
        let mut script = String::new();
        let mut expected = Vec::new();
        for (i, (gap, (core, before_semicolon))) in statements.iter().enumerate() {
            script.push_str(gap);
            if open_end && i + 1 == statements.len() {
                // The last statement without its semicolon ends at its
                // last token.
                script.push_str(core);
                expected.push(core.clone());
            } else {
                let text = format!("{core}{before_semicolon};");
                script.push_str(&text);
                expected.push(text);
            }
        }
        script.push_str(tail);
        let got = texts(&script);
        prop_assert_eq!(got, expected.iter().map(String::as_str).collect::<Vec<_>>(), "{:?}", script);
    }
}

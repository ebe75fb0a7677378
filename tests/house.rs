//! The house rules of docs/architecture.md, checked on the source text: every module imports
//! only from the layers below its own, nothing but `main.rs`/`lib.rs` reaches into
//! `server`, there is one clock, no file grows past 500 lines, and the request context is read
//! before the first await.
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom of the house up; a module may use those of lower rank
/// (and itself).
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("clock", 0),
    ("codec", 0),
    ("model", 1),
    ("time_fmt", 1),
    ("before_hydration", 1),
    ("telemetry", 1),
    ("store", 2),
    ("state", 3),
    ("live", 4),
    ("auth", 5),
    ("avatar", 5),
    ("outbox", 5),
    ("attachments", 5),
    ("chat", 6),
    ("team", 6),
    ("inboxes", 6),
    ("routing", 6),
    ("notes", 6),
    ("canned", 6),
    ("transcripts", 6),
    ("csat", 6),
    ("labels", 6),
    ("snooze", 6),
    ("search", 6),
    ("mail", 6),
    ("demo", 6),
    ("inbox", 7),
    ("widget", 7),
    ("app", 8),
    ("server", 9),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, rank)| *rank)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under src/ belongs to (`None` for main.rs and lib.rs).
fn module_of(path: &Path, src: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "main" && name != "lib").then(|| name.to_string())
}

/// Every `crate::NAME` a file mentions (in `use` lines and in paths).
fn crate_references(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(at, _)| {
            text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn every_module_imports_only_from_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let Some(module) = module_of(file, &src) else {
            continue;
        };
        let own = rank(&module)
            .unwrap_or_else(|| panic!("{module} is not placed in the house (tests/house.rs)"));
        let text = std::fs::read_to_string(file).unwrap();
        for used in crate_references(&text) {
            if used == module {
                continue;
            }
            match rank(&used) {
                Some(rank) if rank < own => {}
                _ => broken.push(format!(
                    "{} uses crate::{used}",
                    file.strip_prefix(&src).unwrap().display()
                )),
            }
        }
    }
    broken.dedup();
    assert!(
        broken.is_empty(),
        "imports that run up the house:\n{}",
        broken.join("\n")
    );
}

#[test]
fn one_clock_and_small_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut clocks = Vec::new();
    let mut large = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if text.contains("fn now_ms(") {
            clocks.push(file.display().to_string());
        }
        let lines = text.lines().count();
        if lines > 500 {
            large.push(format!("{} ({lines} lines)", file.display()));
        }
    }
    assert_eq!(clocks.len(), 1, "now_ms is defined in {clocks:?}");
    assert!(large.is_empty(), "files over 500 lines: {large:?}");
}

/// Every file of the repository: what `git ls-files` would list, without needing git.
fn repository_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name != ".ci" || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            if ["test-results", "playwright-report", "data"].contains(&name.as_ref()) {
                continue;
            }
            repository_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Nothing depends on where one machine keeps things: no script, setting or document names a
/// folder of a particular machine (local copies come from environment variables).
#[test]
fn no_path_of_one_machine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    repository_files(root, &mut files);
    // Spelled in parts, so this file does not name them itself.
    let machine_paths = ["work", "root", "home"].map(|dir| format!("/{dir}/"));
    let mut found = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // images and other binary files
        };
        for (number, line) in text.lines().enumerate() {
            if machine_paths.iter().any(|p| line.contains(p)) {
                found.push(format!("{}:{}: {line}", file.display(), number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths of one machine:\n{}",
        found.join("\n")
    );
}

/// The container image builds with the scripts CI runs, and keeps the deployment's promises:
/// not root, data in a volume, a health check that needs no curl.
#[test]
fn the_container_image_uses_the_tested_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    for script in dockerfile
        .split_whitespace()
        .filter(|word| word.starts_with("scripts/") && word.ends_with(".sh"))
    {
        assert!(
            root.join(script).is_file(),
            "the Dockerfile runs {script}, which is missing"
        );
    }
    assert!(dockerfile.contains("bash scripts/build-release.sh"));
    for promise in [
        "USER switchboard",
        "VOLUME /data",
        "\"--healthcheck\"",
        "HEALTHCHECK",
    ] {
        assert!(
            dockerfile.contains(promise),
            "the Dockerfile lacks {promise}"
        );
    }
    let compose = std::fs::read_to_string(root.join("compose.yaml")).unwrap();
    for service in ["postgres:", "node-a:", "node-b:", "proxy:"] {
        assert!(compose.contains(service), "compose.yaml lacks {service}");
    }
}

/// What a function may read of the request's reactive context (the state, the headers, the
/// client's address) only before its first `.await`: a server function run as a resource
/// during SSR is polled later under an owner whose parents may be gone, and a context read
/// then panics in a task nobody awaits, leaving the page streaming forever (the labels and
/// saved-replies pages did). `set_cookie` is not in the list: only server functions called
/// over HTTP set cookies, and leptos_axum keeps their `ResponseOptions` for the whole call.
const CONTEXT_READS: &[&str] = &[
    "state()",
    "from_context()",
    "request_headers()",
    "client_address()",
    "use_context",
    "expect_context",
];

/// The body of each `async fn` in `text`, by matching braces (strings with braces in them
/// are rare enough in this code base not to need a parser).
fn async_fn_bodies(text: &str) -> Vec<(usize, &str)> {
    let mut bodies = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("async fn ") {
        let start = rest + found;
        let Some(open) = text[start..].find('{').map(|i| start + i) else {
            break;
        };
        let mut depth = 0;
        let mut end = text.len();
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let line = text[..start].lines().count() + 1;
        bodies.push((line, &text[open..end]));
        rest = open + 1;
    }
    bodies
}

#[test]
fn the_request_context_is_read_before_the_first_await() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut late = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, body) in async_fn_bodies(&text) {
            let Some(first_await) = body.find(".await") else {
                continue;
            };
            for read in CONTEXT_READS {
                if let Some(at) = body[first_await..].find(read) {
                    let offset = body[..first_await + at].lines().count() - 1;
                    late.push(format!("{}:{} {read}", file.display(), line + offset));
                }
            }
        }
    }
    assert!(late.is_empty(), "context read after an await: {late:?}");
}

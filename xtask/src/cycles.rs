//! File-level import cycles inside a crate: `a.rs` uses `b.rs` and `b.rs` uses `a.rs`,
//! directly or around a longer loop. Layers read bottom-up only when there are none.
//!
//! Written here rather than with `syn`: a text scan of paths is enough for this rule and
//! keeps xtask from pinning features of the workspace's proc-macro stack. What counts as a
//! use of another file: a `use` item or an inline path starting `crate::`, `super::`,
//! `self::` or the name of a child module. Not counted: `pub use` re-exports (a facade
//! names its children; the scan follows them to the file that defines the item instead),
//! `mod` declarations, and everything from the first `#[cfg(test)]` on (test modules may
//! reach anywhere in their crate).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file as a module: its path segments below the crate root and what it says.
#[derive(Debug, Default)]
struct ModuleFile {
    file: PathBuf,
    /// Child modules declared with `mod name;` (files of their own).
    children: BTreeSet<String>,
    /// `pub use` re-exports: the name they export → the full path they point at.
    reexports: BTreeMap<String, Vec<String>>,
    /// Full paths (from the crate root) this file uses.
    uses: Vec<Vec<String>>,
}

/// Every file-level cycle in every crate under `crates/` (and xtask, src-tauri), one
/// sentence each.
pub(crate) fn import_cycles(root: &Path) -> Vec<String> {
    let mut src_dirs = vec![root.join("src-tauri/src"), root.join("xtask/src")];
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        let mut crates: Vec<_> = crates.flatten().map(|c| c.path().join("src")).collect();
        crates.sort();
        src_dirs.extend(crates);
    }
    let mut problems = Vec::new();
    for src in src_dirs {
        for cycle in crate_cycles(&src) {
            let show = |p: &PathBuf| p.strip_prefix(&src).unwrap_or(p).display().to_string();
            let uses: Vec<String> =
                cycle.uses.iter().map(|(a, b)| format!("{} → {}", show(a), show(b))).collect();
            let krate = src.parent().unwrap_or(&src);
            problems.push(format!(
                "files of {} import each other in a loop (move what they share into a leaf \
                 module): {}",
                krate.strip_prefix(root).unwrap_or(krate).display(),
                uses.join(", ")
            ));
        }
    }
    problems
}

/// Files that reach each other (one strongly connected component), with the uses among them.
#[derive(Debug)]
struct Cycle {
    /// `(user, used)` pairs inside the component.
    uses: Vec<(PathBuf, PathBuf)>,
}

/// The cycles among one crate's files.
fn crate_cycles(src: &Path) -> Vec<Cycle> {
    let entry = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|p| p.exists());
    let Some(entry) = entry else { return Vec::new() };
    let mut modules = BTreeMap::new();
    load(&entry, Vec::new(), &mut modules);
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (path, module) in &modules {
        let targets = edges.entry(path.clone()).or_default();
        for used in &module.uses {
            let target = resolve(&modules, used, 0);
            if &target != path {
                targets.insert(target);
            }
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let inside: BTreeSet<&Vec<String>> = component.iter().collect();
            let uses = component
                .iter()
                .flat_map(|from| edges[from].iter().map(move |to| (from, to)))
                .filter(|(_, to)| inside.contains(to))
                .map(|(from, to)| (modules[from].file.clone(), modules[to].file.clone()))
                .collect();
            Cycle { uses }
        })
        .collect()
}

/// Reads `file` as module `path` and, recursively, its child module files.
fn load(file: &Path, path: Vec<String>, modules: &mut BTreeMap<Vec<String>, ModuleFile>) {
    let Ok(text) = std::fs::read_to_string(file) else { return };
    let code = strip_comments_and_strings(&text);
    let code = match code.find("#[cfg(test)]") {
        Some(at) => &code[..at],
        None => &code[..],
    };
    let mut module = ModuleFile { file: file.to_path_buf(), ..Default::default() };
    for name in declared_child_modules(code) {
        module.children.insert(name);
    }
    scan(code, &path, &mut module);
    let dir = if matches!(
        file.file_name().and_then(|n| n.to_str()),
        Some("lib.rs" | "main.rs" | "mod.rs")
    ) {
        file.parent().unwrap_or(file).to_path_buf()
    } else {
        file.with_extension("")
    };
    let children = module.children.clone();
    modules.insert(path.clone(), module);
    for child in children {
        let mut child_path = path.clone();
        child_path.push(child.clone());
        let flat = dir.join(format!("{child}.rs"));
        let nested = dir.join(&child).join("mod.rs");
        let file = if flat.exists() { flat } else { nested };
        load(&file, child_path, modules);
    }
}

/// `mod name;` declarations (not inline `mod name { … }` blocks).
fn declared_child_modules(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "mod") {
        let after = rest[at + 3..].trim_start();
        let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
        let tail = after[name.len()..].trim_start();
        if !name.is_empty() && tail.starts_with(';') {
            names.push(name);
        }
        rest = &rest[at + 3..];
    }
    names
}

/// Collects the file's `use` items and inline paths into `module.uses`/`reexports`.
fn scan(code: &str, path: &[String], module: &mut ModuleFile) {
    let mut covered = vec![false; code.len()];
    let mut rest_from = 0;
    while let Some(at) = find_word(&code[rest_from..], "use") {
        let start = rest_from + at;
        let Some(len) = code[start..].find(';') else { break };
        let tree = &code[start + 3..start + len];
        let before = code[..start].trim_end();
        let public = before.ends_with("pub")
            || before.ends_with(')')
                && before.rfind('(').is_some_and(|open| before[..open].ends_with("pub"));
        for (full, alias) in expand_use_tree(tree.trim()) {
            let Some(resolved) = absolute(&full, path, &module.children) else { continue };
            if public {
                module.reexports.insert(alias, resolved);
            } else {
                module.uses.push(resolved);
            }
        }
        covered[start..start + len].iter_mut().for_each(|c| *c = true);
        rest_from = start + len;
    }
    // Inline paths outside `use` items.
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        if covered[i] || !is_ident(bytes[i] as char) || (i > 0 && is_path_char(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let segments = read_path(&code[i..]);
        let consumed = segments.iter().map(|s| s.len() + 2).sum::<usize>().saturating_sub(2);
        if segments.len() > 1
            && let Some(resolved) = absolute(&segments, path, &module.children)
        {
            module.uses.push(resolved);
        }
        i += consumed.max(1);
    }
}

fn is_path_char(b: u8) -> bool {
    b == b':' || b.is_ascii_alphanumeric() || b == b'_'
}

/// `a::b::c` at the start of `text`, as its segments.
fn read_path(text: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let ident: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if ident.is_empty() {
            break;
        }
        rest = &rest[ident.len()..];
        segments.push(ident);
        if !rest.starts_with("::") {
            break;
        }
        rest = &rest[2..];
    }
    segments
}

/// A path as written in module `path` → the full path from the crate root, or `None` for
/// paths into other crates.
fn absolute(
    segments: &[String],
    path: &[String],
    children: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut out;
    let mut rest = &segments[1..];
    match first.as_str() {
        "crate" => out = Vec::new(),
        "self" => out = path.to_vec(),
        "super" => {
            out = path.to_vec();
            out.pop();
            while rest.first().is_some_and(|s| s == "super") {
                out.pop();
                rest = &rest[1..];
            }
        }
        name if children.contains(name) => {
            out = path.to_vec();
            rest = segments;
        }
        _ => return None,
    }
    out.extend(rest.iter().cloned());
    Some(out)
}

/// The file (module path) that defines what `full` names, following `pub use` re-exports.
fn resolve(
    modules: &BTreeMap<Vec<String>, ModuleFile>,
    full: &[String],
    depth: usize,
) -> Vec<String> {
    let mut current: Vec<String> = Vec::new();
    for (i, segment) in full.iter().enumerate() {
        let Some(module) = modules.get(&current) else { break };
        if module.children.contains(segment) {
            current.push(segment.clone());
            continue;
        }
        if let Some(target) = module.reexports.get(segment)
            && depth < 8
            && target.as_slice() != &full[..=i]
        {
            let mut next = target.clone();
            next.extend(full[i + 1..].iter().cloned());
            return resolve(modules, &next, depth + 1);
        }
        break;
    }
    current
}

/// `{a::{b, c as d}, e::*}` → `[(["a","b"], "b"), (["a","c"], "d"), (["e","*"], "*")]`.
fn expand_use_tree(tree: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    expand_into(tree, &mut Vec::new(), &mut out);
    out
}

fn expand_into(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let tree = tree.trim().trim_start_matches("::");
    if let Some(inner) = tree.strip_prefix('{') {
        let inner = inner.strip_suffix('}').unwrap_or(inner);
        for part in split_top_level(inner) {
            expand_into(part, prefix, out);
        }
        return;
    }
    match tree.find("::") {
        Some(at) if !tree[..at].contains('{') => {
            let len = prefix.len();
            prefix.push(tree[..at].trim().to_owned());
            expand_into(&tree[at + 2..], prefix, out);
            prefix.truncate(len);
        }
        _ => {
            let (name, alias) = match tree.split_once(" as ") {
                Some((name, alias)) => (name.trim(), alias.trim()),
                None => (tree, tree),
            };
            if name.is_empty() {
                return;
            }
            let mut full = prefix.clone();
            if name != "self" {
                full.push(name.to_owned());
            }
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                alias.to_owned()
            };
            out.push((full, alias));
        }
    }
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The byte offset of `word` standing alone (not part of a longer identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let start = from + at;
        let end = start + word.len();
        let before_ok = start == 0 || !is_path_char(bytes[start - 1]);
        let after_ok = end >= bytes.len() || !is_ident(bytes[end] as char);
        if before_ok && after_ok {
            return Some(start);
        }
        from = end;
    }
    None
}

/// The text with comments, string and char literals blanked (same length, so offsets hold).
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char, out: &mut String| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(chars[i], &mut out);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                blank(chars[i], &mut out);
                i += 1;
            }
            for _ in 0..2.min(chars.len() - i) {
                blank(chars[i], &mut out);
                i += 1;
            }
        } else if c == 'r'
            && (next == Some('#') || next == Some('"'))
            && (i == 0 || !is_ident(chars[i - 1]))
        {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String =
                std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let body_start = i + 2 + hashes;
            let rest: String = chars[body_start..].iter().collect();
            let body_len =
                rest.find(&closing).map_or(rest.chars().count(), |b| rest[..b].chars().count());
            let end = (body_start + body_len + closing.len()).min(chars.len());
            for &ch in &chars[i..end] {
                blank(ch, &mut out);
            }
            i = end;
        } else if c == '"' {
            blank(c, &mut out);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(chars[i], &mut out);
                    i += 1;
                }
                if i < chars.len() {
                    blank(chars[i], &mut out);
                    i += 1;
                }
            }
            if i < chars.len() {
                blank(chars[i], &mut out);
                i += 1;
            }
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal ('a' or '\n'); a lifetime ('a) has no closing quote.
            let end = chars[i + 1..].iter().position(|c| *c == '\'').map_or(i + 1, |p| i + 2 + p);
            for &ch in &chars[i..end] {
                blank(ch, &mut out);
            }
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    // Non-ASCII chars were kept or blanked one for one; realign byte offsets by blanking
    // them to ASCII so `code[..]` slicing by byte never splits a char.
    out.chars().map(|c| if c.is_ascii() { c } else { ' ' }).collect()
}

/// Tarjan's strongly connected components over module paths.
fn strongly_connected(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<Vec<String>, usize>,
        low: BTreeMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        on_stack: BTreeSet<Vec<String>>,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit(s: &mut State, node: &Vec<String>) {
        let n = s.index.len();
        s.index.insert(node.clone(), n);
        s.low.insert(node.clone(), n);
        s.stack.push(node.clone());
        s.on_stack.insert(node.clone());
        for next in s.edges.get(node).into_iter().flatten() {
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node.clone(), low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node.clone(), low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(&top);
                let done = &top == node;
                component.push(top);
                if done {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_crate(files: &[(&str, &str)]) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("atrium-cycles-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join("src").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    impl Cycle {
        /// The files in the loop, sorted.
        fn files(&self) -> Vec<PathBuf> {
            let files: BTreeSet<PathBuf> = self.uses.iter().map(|(a, _)| a.clone()).collect();
            files.into_iter().collect()
        }
    }

    #[test]
    fn a_two_file_cycle_is_found_and_a_layered_crate_passes() {
        let layered = write_crate(&[
            ("lib.rs", "//! x\nmod a;\nmod b;\npub use a::Thing;\n"),
            ("a.rs", "//! a\nuse crate::b::Base;\npub struct Thing(Base);\n"),
            ("b.rs", "//! b\npub struct Base;\n#[cfg(test)]\nmod tests { use crate::a::Thing; }\n"),
        ]);
        assert!(crate_cycles(&layered.join("src")).is_empty());
        let cyclic = write_crate(&[
            ("lib.rs", "//! x\nmod a;\nmod b;\n"),
            ("a.rs", "//! a\nuse crate::b::Base;\npub struct Thing(Base);\n"),
            ("b.rs", "//! b\npub struct Base;\nfn f() -> crate::a::Thing { todo!() }\n"),
        ]);
        let cycles = crate_cycles(&cyclic.join("src"));
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        let names: Vec<_> =
            cycles[0].files().iter().map(|p| p.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["a.rs", "b.rs"]);
        let _ = std::fs::remove_dir_all(layered);
        let _ = std::fs::remove_dir_all(cyclic);
    }

    #[test]
    fn reexports_grouped_imports_and_child_modules_are_followed() {
        // `crate::Error` is re-exported from error.rs; grouped and nested imports, and a
        // parent calling its child by bare name, all count.
        let dir = write_crate(&[
            ("lib.rs", "//! x\nmod error;\nmod feature;\npub use error::Error;\n"),
            ("error.rs", "//! e\nuse crate::{feature::{inner::Helper}};\npub struct Error;\n"),
            ("feature/mod.rs", "//! f\nmod inner;\nfn g() { inner::help(); }\n"),
            ("feature/inner.rs", "//! i\nuse crate::Error as E;\npub struct Helper;\n"),
        ]);
        let cycles = crate_cycles(&dir.join("src"));
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        let names: BTreeSet<_> = cycles[0]
            .files()
            .iter()
            .map(|p| p.strip_prefix(dir.join("src")).unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from([PathBuf::from("error.rs"), PathBuf::from("feature/inner.rs")])
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let dir = write_crate(&[
            ("lib.rs", "//! x\nmod a;\nmod b;\n"),
            ("a.rs", "//! a\nuse crate::b::Base;\n"),
            (
                "b.rs",
                "//! b\n// crate::a::Thing\nconst S: &str = \"crate::a::X\";\nconst R: &str = r#\"crate::a::Y\"#;\n",
            ),
        ]);
        assert!(crate_cycles(&dir.join("src")).is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_real_workspace_has_no_file_level_import_cycles() {
        assert_eq!(import_cycles(&crate::repo_root()), Vec::<String>::new());
    }
}

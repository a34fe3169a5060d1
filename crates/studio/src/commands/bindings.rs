//! Writes the command table's types as one TypeScript module.
//!
//! Every type reachable from a command's request or response (and the extra types the
//! hosts send, such as events) is declared once, sorted by name: ts-rs does not promise an
//! order for a type's dependencies (it varies between builds), and the committed file must
//! not.

use std::any::TypeId;
use std::collections::HashSet;
use std::fmt::Write as _;

use ts_rs::{Config, TS, TypeVisitor};

const HEADER: &str = "\
// Generated from crates/studio/src/commands by `make generate`. Do not edit by hand:
// a test fails when this file differs from what the Rust command table produces.
";

#[derive(Default)]
pub(super) struct Bindings {
    seen: HashSet<TypeId>,
    /// (TypeScript name, declaration)
    declarations: Vec<(String, String)>,
    commands: Vec<String>,
    names: Vec<&'static str>,
}

struct Collector<'a> {
    cfg: &'a Config,
    bindings: &'a mut Bindings,
}

impl TypeVisitor for Collector<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() {
            // Built-in or wrapper type: declare what it refers to.
            T::visit_dependencies(self);
            T::visit_generics(self);
            return;
        }
        if !self.bindings.seen.insert(TypeId::of::<T>()) {
            return;
        }
        T::visit_dependencies(self);
        let docs = T::docs().unwrap_or_default();
        let declaration = format!("{docs}export {}", T::decl(self.cfg));
        self.bindings.declarations.push((T::ident(self.cfg), declaration));
    }
}

fn config() -> Config {
    // serde_json writes 64-bit integers as JSON numbers.
    Config::new().with_large_int("number")
}

impl Bindings {
    fn visit<T: TS + 'static>(&mut self) {
        let cfg = config();
        Collector { cfg: &cfg, bindings: self }.visit::<T>();
    }

    pub(super) fn command<Req: TS + 'static, Res: TS + 'static>(
        &mut self,
        name: &'static str,
        docs: &[&str],
    ) {
        self.visit::<Req>();
        self.visit::<Res>();
        let cfg = config();
        let mut entry = String::new();
        if !docs.is_empty() {
            entry.push_str("  /**\n");
            for line in docs {
                let _ = writeln!(entry, "   *{line}");
            }
            entry.push_str("   */\n");
        }
        let _ = write!(
            entry,
            "  {name}: {{ request: {}; response: {} }};",
            Req::name(&cfg),
            Res::name(&cfg)
        );
        self.commands.push(entry);
        self.names.push(name);
    }

    pub(super) fn extra<T: TS + 'static>(&mut self) {
        self.visit::<T>();
    }

    pub(super) fn finish(mut self) -> String {
        let mut out = String::from(HEADER);
        self.declarations.sort();
        for (_, declaration) in &self.declarations {
            out.push('\n');
            out.push_str(declaration.trim_end());
            out.push('\n');
        }
        out.push_str("\n/** Every studio command, with its request and response types. */\n");
        out.push_str("export interface Commands {\n");
        for command in &self.commands {
            out.push_str(command);
            out.push('\n');
        }
        out.push_str("}\n\n/** The names of every command, in table order. */\n");
        let names: Vec<String> = self.names.iter().map(|n| format!("\"{n}\"")).collect();
        let _ = writeln!(out, "export const COMMAND_NAMES = [{}] as const;", names.join(", "));
        out
    }
}

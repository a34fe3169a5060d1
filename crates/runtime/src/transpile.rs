//! TypeScript to JavaScript: types stripped with oxc, the module otherwise unchanged.

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::codegen::Codegen;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{TransformOptions, Transformer};

use crate::RuntimeError;

/// Line and column (1-based) of a byte offset.
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn syntax_error(
    path: &Path,
    source: &str,
    error: &oxc::diagnostics::OxcDiagnostic,
) -> RuntimeError {
    let offset = error.labels.first().map_or(0, |l| l.offset());
    let (line, column) = position(source, offset as usize);
    RuntimeError::Syntax {
        path: path.display().to_string(),
        line,
        column,
        message: error.message.to_string(),
    }
}

/// Strips types from a `.ts`/`.tsx`/`.mts` file; returns other files as they are.
pub(crate) fn to_javascript(path: &Path, source: &str) -> Result<String, RuntimeError> {
    let source_type = SourceType::from_path(path).unwrap_or_default();
    if !source_type.is_typescript() {
        return Ok(source.to_owned());
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.first() {
        return Err(syntax_error(path, source, error));
    }
    let mut program = parsed.program;
    let semantic = SemanticBuilder::new().with_enum_eval(true).build(&program);
    if let Some(error) = semantic.diagnostics.first() {
        return Err(syntax_error(path, source, error));
    }
    let scoping = semantic.semantic.into_scoping();
    let transformed = Transformer::new(&allocator, path, &TransformOptions::default())
        .build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.first() {
        return Err(syntax_error(path, source, error));
    }
    Ok(Codegen::new().build(&program).code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_types_and_keeps_code() {
        let js = to_javascript(
            Path::new("a.ts"),
            "import type { X } from './x';\nenum Color { Red }\nexport const f = (a: number): number => a + 1;\ninterface I { a: string }\n",
        )
        .unwrap();
        assert!(js.contains("export const f = (a) => a + 1"), "{js}");
        assert!(!js.contains("interface") && !js.contains("import type"), "{js}");
        assert!(js.contains("Color"), "{js}");
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err =
            to_javascript(Path::new("convex/bad.ts"), "export const a = 1;\nexport const b = ;\n")
                .unwrap_err();
        match err {
            RuntimeError::Syntax { path, line, column, .. } => {
                assert_eq!(path, "convex/bad.ts");
                assert_eq!((line, column), (2, 18));
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn javascript_passes_through() {
        assert_eq!(
            to_javascript(Path::new("a.js"), "export const a = 1;").unwrap(),
            "export const a = 1;"
        );
    }
}

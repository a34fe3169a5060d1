//! Runs a JavaScript bundle (one script) in a bare QuickJS context, its promise jobs included,
//! until it sets `globalThis.__done`, and prints `globalThis.__out`: the QuickJS side of
//! `bench/js_engines.sh`, with the same QuickJS the runtime embeds but none of its host.

use rquickjs::{Context, Runtime};

fn main() {
    let path = std::env::args().nth(1).expect("usage: js_bundle BUNDLE.js");
    let source = std::fs::read_to_string(&path).expect("a readable bundle");
    let runtime = Runtime::new().expect("a QuickJS runtime");
    let context = Context::full(&runtime).expect("a QuickJS context");
    context.with(|ctx| {
        if ctx.eval::<(), _>(source).is_err() {
            let thrown = ctx.catch();
            panic!("the bundle threw: {thrown:?}");
        }
        while !ctx.globals().get::<_, Option<bool>>("__done").ok().flatten().unwrap_or(false) {
            assert!(ctx.execute_pending_job(), "the bundle stopped before it was done");
        }
        let out: String = ctx.globals().get("__out").expect("__out is text");
        print!("{out}");
    });
}

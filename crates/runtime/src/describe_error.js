// How the engine reads a thrown value — name, message, ConvexError data and stack — shared
// by the isolate's prelude (`prelude.js`, as `__atrium_describe`) and the Node.js executor
// (`node/executor.mjs`). One arrow function expression: both evaluate this text.
(error) => {
  if (error !== null && typeof error === "object") {
    const symbol = error.ConvexErrorSymbol;
    const isConvexError = symbol !== undefined && error[symbol] === true;
    return {
      name: error.name === undefined ? "" : String(error.name),
      message: error.message === undefined ? "" : String(error.message),
      data: isConvexError ? error.data : undefined,
      stack: typeof error.stack === "string" ? error.stack : undefined,
    };
  }
  return { name: "", message: String(error) };
}

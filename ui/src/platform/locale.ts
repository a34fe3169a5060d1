// Runs before any other module: under a POSIX locale (LANG=C) WebKitGTK reports
// `navigator.language` as "C", which is not a language tag, and libraries that pass it to
// Intl (uPlot does at load time) throw a RangeError that leaves the window blank. Such a
// value is replaced by en-US; a valid one is left alone.
function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !usable(navigator.language)) {
  Object.defineProperty(Navigator.prototype, "language", { configurable: true, get: () => "en-US" });
  Object.defineProperty(Navigator.prototype, "languages", { configurable: true, get: () => ["en-US"] });
}

export {};

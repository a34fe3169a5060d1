/* Runs a JavaScript bundle in the system's JavaScriptCore (WebKitGTK's GLib API) until it
 * sets globalThis.__done, and prints globalThis.__out: the JavaScriptCore side of
 * bench/js_engines.sh. Promise jobs run when an evaluation returns, so the bundle's async
 * work is done (or waiting on nothing) once jsc_context_evaluate comes back. */
#include <jsc/jsc.h>
#include <stdio.h>

int main(int argc, char **argv) {
  gchar *source;
  gsize length;
  if (argc < 2 || !g_file_get_contents(argv[1], &source, &length, NULL)) {
    fprintf(stderr, "usage: %s BUNDLE.js\n", argv[0]);
    return 2;
  }
  JSCContext *context = jsc_context_new();
  g_object_unref(jsc_context_evaluate(context, source, length));
  JSCException *exception = jsc_context_get_exception(context);
  if (exception) {
    fprintf(stderr, "exception: %s\n", jsc_exception_get_message(exception));
    return 1;
  }
  JSCValue *done = jsc_context_evaluate(context, "globalThis.__done === true", -1);
  if (!jsc_value_to_boolean(done)) {
    fprintf(stderr, "the bundle stopped before it was done\n");
    return 1;
  }
  JSCValue *out = jsc_context_evaluate(context, "globalThis.__out", -1);
  printf("%s", jsc_value_to_string(out));
  return 0;
}

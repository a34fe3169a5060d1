// Generated from crates/studio/src/commands by `make generate`. Do not edit by hand:
// a test fails when this file differs from what the Rust command table produces.

/**
 * About this Atrium and where it keeps its files.
 */
export type AppInfo = { version: string, host: HostKind, config_dir: string, 
/**
 * Problems found at start-up that the user should know about.
 */
warnings: Array<string>, };

/**
 * A failed command: `code` for programs, `message` for people.
 */
export type CommandError = { code: ErrorCode, message: string, };

/**
 * The state of the connection to the deployment.
 */
export type ConnectionState = { "state": "not_connected" } | { "state": "connected" } | { "state": "reconnecting", attempt: number, } | { "state": "offline", reason: string, };

/**
 * Which deployment is connected, and how the connection is.
 */
export type ConnectionStatus = { deployment: DeploymentSummary | null, state: ConnectionState, };

/**
 * A deployment to try: its URL and, to act as its admin, its admin key.
 */
export type ConnectionTest = { url: string, 
/**
 * Typed by the user into the connection form; never sent back to the UI.
 */
admin_key: string | null, };

/**
 * What the admin key may do on the deployment.
 */
export type ConnectionTestResult = { url: string, allowed_ops: Array<string>, read_only: boolean, };

/**
 * A deployment the dashboard can connect to.
 */
export type DeploymentKind = "local" | "remote";

/**
 * The connected deployment, as the header shows it.
 */
export type DeploymentSummary = { name: string, url: string, kind: DeploymentKind, };

/**
 * Why a command failed, as a stable code the UI can branch on.
 */
export type ErrorCode = "unknown_command" | "bad_request" | "not_found" | "io" | "internal" | "bad_url" | "unreachable" | "bad_admin_key" | "not_a_deployment" | "function_failed";

/**
 * Which host the studio runs in.
 */
export type HostKind = "desktop" | "browser";

/**
 * Everything the user can set.
 */
export type Settings = { theme: ThemePreference, };

/**
 * A change to some settings; absent fields stay as they are.
 */
export type SettingsPatch = { theme?: ThemePreference, };

/**
 * Something changed that the UI shows.
 */
export type StudioEvent = { "type": "settings_changed", settings: Settings, } | { "type": "connection_changed", status: ConnectionStatus, };

/**
 * Which colour theme the UI uses.
 */
export type ThemePreference = "system" | "light" | "dark";

/** Every studio command, with its request and response types. */
export interface Commands {
  /**
   * What this Atrium is, where it keeps its files, and problems found at start-up.
   */
  app_info: { request: null; response: AppInfo };
  /**
   * The user's settings.
   */
  get_settings: { request: null; response: Settings };
  /**
   * Changes some settings, saves them, and announces `settings_changed`.
   */
  update_settings: { request: SettingsPatch; response: Settings };
  /**
   * Which deployment is connected and the state of the connection.
   */
  connection_status: { request: null; response: ConnectionStatus };
  /**
   * Tries a deployment URL and admin key: what the key may do, or which part is wrong.
   */
  test_connection: { request: ConnectionTest; response: ConnectionTestResult };
}

/** The names of every command, in table order. */
export const COMMAND_NAMES = ["app_info", "get_settings", "update_settings", "connection_status", "test_connection"] as const;

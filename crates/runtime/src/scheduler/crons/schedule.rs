//! A cron's schedule as `crons.ts` declares it (`interval`, `hourly`, `daily`, `weekly`,
//! `monthly`, `cron`), Convex's validation messages for it, its stored form in
//! `_cron_jobs.cronSpec.cronSchedule`, and its next run after a given time.
//!
//! Next-run times come from the `croner` crate (5-field expressions in UTC); the calendar
//! schedules are turned into the same expressions Convex builds for them (`M H * * *`, …).
//! Unlike Convex, no random splay is added to schedules without `minuteUTC`: a local engine
//! has no load to spread, and "daily at 00 UTC" then means 00:00 exactly.
//!
//! It must not touch storage or run functions.

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde_json::Value as Json;

use atrium_value::{Object, Value};

const DAYS: [&str; 7] =
    ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/// One cron's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronSchedule {
    Interval { seconds: i64 },
    Hourly { minute_utc: Option<i64> },
    Daily { hour_utc: i64, minute_utc: Option<i64> },
    Weekly { day_of_week: i64, hour_utc: i64, minute_utc: Option<i64> },
    Monthly { day: i64, hour_utc: i64, minute_utc: Option<i64> },
    Cron { expression: String },
}

fn int(json: &Json, field: &str) -> Option<i64> {
    json.get(field).and_then(Json::as_f64).filter(|n| n.fract() == 0.0).map(|n| n as i64)
}

fn pretty(json: &Json) -> String {
    serde_json::to_string_pretty(json).unwrap_or_default()
}

impl CronSchedule {
    /// Reads a schedule from `crons.ts`'s export (`{type: "daily", hourUTC: 0, …}`), with
    /// Convex's messages for a bad one.
    pub fn from_json(json: &Json) -> Result<Self, String> {
        let minute = || -> Result<Option<i64>, String> {
            match json.get("minuteUTC") {
                None | Some(Json::Null) => Ok(None),
                Some(_) => match int(json, "minuteUTC") {
                    Some(m) if (0..=59).contains(&m) => Ok(Some(m)),
                    _ => Err(format!("minuteUTC must be 0-59 in {}", pretty(json))),
                },
            }
        };
        let hour = || match int(json, "hourUTC") {
            Some(h) if (0..=23).contains(&h) => Ok(h),
            _ => Err(format!("hourUTC must be 0-23 in {}", pretty(json))),
        };
        match json.get("type").and_then(Json::as_str) {
            Some("interval") => {
                let parts = ["seconds", "minutes", "hours"].map(|f| json.get(f).is_some());
                if parts.iter().filter(|p| **p).count() != 1 {
                    return Err(
                        "Exactly one of (seconds, minutes, hours) should be specified".into()
                    );
                }
                let mut seconds = 0;
                for (field, unit) in [("seconds", 1), ("minutes", 60), ("hours", 3600)] {
                    if json.get(field).is_some() {
                        match int(json, field) {
                            Some(n) if n > 0 => seconds += n * unit,
                            _ => return Err("Interval must be an integer greater than 0".into()),
                        }
                    }
                }
                Ok(Self::Interval { seconds })
            }
            Some("hourly") => Ok(Self::Hourly { minute_utc: minute()? }),
            Some("daily") => Ok(Self::Daily { hour_utc: hour()?, minute_utc: minute()? }),
            Some("weekly") => {
                let day = json.get("dayOfWeek").and_then(Json::as_str);
                let Some(day_of_week) = day.and_then(|d| DAYS.iter().position(|x| *x == d)) else {
                    return Err("Day of week must be a string like \"monday\".".into());
                };
                Ok(Self::Weekly {
                    day_of_week: day_of_week as i64,
                    hour_utc: hour()?,
                    minute_utc: minute()?,
                })
            }
            Some("monthly") => {
                let day = match int(json, "day") {
                    Some(d) if (1..=31).contains(&d) => d,
                    _ => return Err(format!("day of month must be 1-31 in {}", pretty(json))),
                };
                Ok(Self::Monthly { day, hour_utc: hour()?, minute_utc: minute()? })
            }
            Some("cron") => {
                let expression = json.get("cron").and_then(Json::as_str).unwrap_or_default();
                let schedule = Self::Cron { expression: expression.to_owned() };
                let cron = schedule.expression_cron()?.expect("a cron schedule has an expression");
                if cron.find_next_occurrence(&Utc::now(), false).is_err() {
                    return Err(format!("The cron spec {expression:?} will never match any time"));
                }
                Ok(schedule)
            }
            _ => Err("Invalid JSON".into()),
        }
    }

    /// The 5-field expression Convex evaluates for a calendar schedule (none for intervals).
    pub fn expression(&self) -> Option<String> {
        let m = |minute: &Option<i64>| minute.unwrap_or(0);
        Some(match self {
            Self::Interval { .. } => return None,
            Self::Hourly { minute_utc } => format!("{} * * * *", m(minute_utc)),
            Self::Daily { hour_utc, minute_utc } => format!("{} {hour_utc} * * *", m(minute_utc)),
            Self::Weekly { day_of_week, hour_utc, minute_utc } => {
                format!("{} {hour_utc} * * {day_of_week}", m(minute_utc))
            }
            Self::Monthly { day, hour_utc, minute_utc } => {
                format!("{} {hour_utc} {day} * *", m(minute_utc))
            }
            Self::Cron { expression } => expression.clone(),
        })
    }

    fn expression_cron(&self) -> Result<Option<Cron>, String> {
        let Some(expression) = self.expression() else { return Ok(None) };
        let parser = CronParser::builder().seconds(Seconds::Disallowed).build();
        parser
            .parse(&expression)
            .map(Some)
            .map_err(|e| format!("Invalid cron expression {expression:?}: {e}"))
    }

    /// When the run after `prev` is due, as of `now` (both ms since the epoch): an interval
    /// runs `seconds` after its previous run (at once when it never ran); a calendar
    /// schedule at its next matching minute strictly after `now`.
    pub fn next_run(&self, prev: Option<f64>, now: f64) -> Result<f64, String> {
        if let Self::Interval { seconds } = self {
            return Ok(prev.map_or(now, |p| p + *seconds as f64 * 1000.0));
        }
        let cron = self.expression_cron()?.expect("calendar schedules have an expression");
        let after: DateTime<Utc> = Utc
            .timestamp_millis_opt(now.floor() as i64)
            .single()
            .ok_or_else(|| format!("{now} is not a time"))?;
        let next = cron.find_next_occurrence(&after, false).map_err(|e| e.to_string())?;
        Ok(next.timestamp_millis() as f64)
    }

    /// The stored form, as Convex keeps it in `_cron_jobs` (`{type, seconds}`,
    /// `{type, hourUTC, minuteUTC}`, `{type: "cron", cronExpr}`; integers as int64).
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        let mut put = |k: &str, v: Value| {
            o.insert(k.into(), v);
        };
        let minute = |m: &Option<i64>| m.map_or(Value::Null, Value::Int64);
        match self {
            Self::Interval { seconds } => {
                put("type", "interval".into());
                put("seconds", Value::Int64(*seconds));
            }
            Self::Hourly { minute_utc } => {
                put("type", "hourly".into());
                put("minuteUTC", minute(minute_utc));
            }
            Self::Daily { hour_utc, minute_utc } => {
                put("type", "daily".into());
                put("hourUTC", Value::Int64(*hour_utc));
                put("minuteUTC", minute(minute_utc));
            }
            Self::Weekly { day_of_week, hour_utc, minute_utc } => {
                put("type", "weekly".into());
                put("dayOfWeek", Value::Int64(*day_of_week));
                put("hourUTC", Value::Int64(*hour_utc));
                put("minuteUTC", minute(minute_utc));
            }
            Self::Monthly { day, hour_utc, minute_utc } => {
                put("type", "monthly".into());
                put("day", Value::Int64(*day));
                put("hourUTC", Value::Int64(*hour_utc));
                put("minuteUTC", minute(minute_utc));
            }
            Self::Cron { expression } => {
                put("type", "cron".into());
                put("cronExpr", Value::String(expression.clone()));
            }
        }
        Value::Object(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_schedules_get_convex_messages() {
        let err = CronSchedule::from_json(&json!({"type": "interval", "seconds": 1, "minutes": 2}));
        assert_eq!(
            err.unwrap_err(),
            "Exactly one of (seconds, minutes, hours) should be specified"
        );
        let err = CronSchedule::from_json(&json!({"type": "interval", "seconds": 0}));
        assert_eq!(err.unwrap_err(), "Interval must be an integer greater than 0");
        let err = CronSchedule::from_json(&json!({"type": "daily", "hourUTC": 24}));
        assert!(err.unwrap_err().starts_with("hourUTC must be 0-23 in"));
        let err = CronSchedule::from_json(&json!({"type": "cron", "cron": "61 * * * *"}));
        assert!(err.unwrap_err().contains("61 * * * *"));
    }

    #[test]
    fn calendar_schedules_become_convex_expressions() {
        let weekly = CronSchedule::from_json(
            &json!({"type": "weekly", "dayOfWeek": "tuesday", "hourUTC": 5}),
        )
        .unwrap();
        assert_eq!(weekly.expression().as_deref(), Some("0 5 * * 2"));
        let interval = CronSchedule::from_json(&json!({"type": "interval", "minutes": 2})).unwrap();
        assert_eq!(interval, CronSchedule::Interval { seconds: 120 });
        assert_eq!(interval.next_run(Some(1000.0), 5000.0).unwrap(), 121_000.0);
        assert_eq!(interval.next_run(None, 5000.0).unwrap(), 5000.0);
    }
}

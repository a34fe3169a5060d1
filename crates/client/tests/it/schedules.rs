//! The Schedules area's calls against a real `atrium-server` running the `schedules`
//! fixture: pending jobs a page at a time in Convex's `_scheduled_jobs` shape, cancel one,
//! run one now, cancel all of a function, and the crons with their runs (and "run now").

use std::time::{Duration, Instant};

use crate::common::args;
use atrium_client::DeploymentClient;
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;
use serde_json::json;

fn str_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    value.get_path(path.iter().copied()).and_then(Value::as_str).unwrap_or_default()
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_and_crons_through_convexs_functions_and_routes() {
    let (server, deployment, _data) = serve_fixture("schedules", "schedules-test").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    client.mutation("schedules:scheduleMany", &args(json!({"count": 3}))).await.unwrap();

    let first = client.scheduled_jobs_page(None, None, None, 2).await.unwrap();
    assert_eq!((first.page.len(), first.is_done), (2, false));
    assert_eq!(str_at(&first.page[0], &["udfPath"]), "schedules.js:tick");
    assert_eq!(str_at(&first.page[0], &["state", "type"]), "pending");
    assert!(matches!(first.page[0].get_path(["nextTs"]), Some(Value::Int64(_))));
    let rest = client
        .scheduled_jobs_page(None, Some("schedules:tick"), Some(first.continue_cursor), 2)
        .await
        .unwrap();
    assert_eq!((rest.page.len(), rest.is_done), (1, true));

    let id = |doc: &Value| str_at(doc, &["_id"]).to_owned();
    client.cancel_job(None, &id(&first.page[0])).await.unwrap();
    let canceled = client.scheduled_functions(None, None, Some("canceled")).await.unwrap().unwrap();
    assert_eq!(canceled.len(), 1);
    assert!(matches!(canceled[0].get_path(["completedTime"]), Some(Value::Float64(_))));

    let now = id(&first.page[1]);
    client.run_scheduled_now(&now).await.unwrap();
    eventually("the job run now succeeded", || async {
        let done = client.scheduled_functions(None, None, Some("success")).await.unwrap().unwrap();
        done.iter().any(|j| str_at(j, &["_id"]) == now)
    })
    .await;

    client.cancel_all_jobs(None, Some("schedules:tick")).await.unwrap();
    let left = client.scheduled_jobs_page(None, None, None, 10).await.unwrap();
    assert!(left.page.is_empty(), "{:?}", left.page);
    let err = client.cancel_job(None, "not an id").await.unwrap_err();
    assert!(err.to_string().contains("Invalid scheduled function ID"), "{err}");

    let crons = client.cron_jobs_with_runs(None).await.unwrap();
    let names: Vec<&str> = crons.iter().map(|c| str_at(c, &["name"])).collect();
    assert_eq!(names, vec!["counter", "midnight"]);
    assert_eq!(str_at(&crons[1], &["cronSpec", "cronSchedule", "type"]), "daily");
    assert!(matches!(crons[1].get_path(["nextRun", "nextTs"]), Some(Value::Int64(_))));
    client.run_cron_now(None, "midnight").await.unwrap();
    eventually("the midnight cron ran now", || async {
        let runs = client.cron_job_runs(None).await.unwrap();
        runs.iter().any(|r| str_at(r, &["name"]) == "midnight")
    })
    .await;
    let crons = client.cron_jobs_with_runs(None).await.unwrap();
    assert_eq!(str_at(&crons[1], &["lastRun", "status", "type"]), "success");
    let err = client.run_cron_now(None, "nope").await.unwrap_err();
    assert!(err.to_string().contains("No cron job named \"nope\""), "{err}");
}

//! The host half of `URL` and `URLSearchParams` (the JavaScript classes are in
//! `web_globals.js`): parsing, serializing and the setters after the WHATWG URL standard,
//! with the `url` crate (its `quirks` module is that standard's API), and
//! `application/x-www-form-urlencoded` with `form_urlencoded`.
//!
//! A URL crosses as its parts: `[href, origin, protocol, username, password, host,
//! hostname, port, pathname, search, hash]`. It holds no state.

use rquickjs::{Ctx, Function, Object};
use url::{Url, form_urlencoded, quirks};

fn parts(url: &Url) -> Vec<String> {
    [
        quirks::href(url).to_owned(),
        quirks::origin(url),
        quirks::protocol(url).to_owned(),
        quirks::username(url).to_owned(),
        quirks::password(url).to_owned(),
        quirks::host(url).to_owned(),
        quirks::hostname(url).to_owned(),
        quirks::port(url).to_owned(),
        quirks::pathname(url).to_owned(),
        quirks::search(url).to_owned(),
        quirks::hash(url).to_owned(),
    ]
    .into()
}

fn parse(input: &str, base: Option<&str>) -> Option<Url> {
    match base {
        None => Url::parse(input).ok(),
        Some(base) => Url::parse(base).ok()?.join(input).ok(),
    }
}

/// Installs `urlParse`, `urlSet`, `formParse` and `formSerialize` on `host`.
pub(super) fn install<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> rquickjs::Result<()> {
    host.set(
        "urlParse",
        Function::new(ctx.clone(), |input: String, base: Option<String>| {
            parse(&input, base.as_deref()).map(|url| parts(&url))
        })?,
    )?;
    // A setter: the URL's parts after setting `field`, or `None` when `href` is set to
    // something that is not a URL (other setters ignore bad values, as the standard says).
    host.set(
        "urlSet",
        Function::new(ctx.clone(), |href: String, field: String, value: String| {
            let mut url = Url::parse(&href).ok()?;
            match field.as_str() {
                "href" => quirks::set_href(&mut url, &value).ok()?,
                "protocol" => drop(quirks::set_protocol(&mut url, &value)),
                "username" => drop(quirks::set_username(&mut url, &value)),
                "password" => drop(quirks::set_password(&mut url, &value)),
                "host" => drop(quirks::set_host(&mut url, &value)),
                "hostname" => drop(quirks::set_hostname(&mut url, &value)),
                "port" => drop(quirks::set_port(&mut url, &value)),
                "pathname" => quirks::set_pathname(&mut url, &value),
                "search" => quirks::set_search(&mut url, &value),
                "hash" => quirks::set_hash(&mut url, &value),
                _ => return None,
            }
            Some(parts(&url))
        })?,
    )?;
    host.set(
        "formParse",
        Function::new(ctx.clone(), |input: String| -> Vec<Vec<String>> {
            form_urlencoded::parse(input.as_bytes())
                .map(|(k, v)| vec![k.into_owned(), v.into_owned()])
                .collect()
        })?,
    )?;
    host.set(
        "formSerialize",
        Function::new(ctx.clone(), |pairs: Vec<Vec<String>>| -> String {
            let mut serializer = form_urlencoded::Serializer::new(String::new());
            for pair in &pairs {
                if let [name, value] = pair.as_slice() {
                    serializer.append_pair(name, value);
                }
            }
            serializer.finish()
        })?,
    )?;
    Ok(())
}

//! Serves the template's HTTP routes on one port.

use crate::template::HttpRoute;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use loket_shared::clock::ShiftedClock;
use loket_shared::http::{respond, Handler};
use loket_shared::lambda::EventHandler;
use loket_shared::{ApiError, App};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing::Instrument;

pub struct Route {
    pub method: String,
    pub segments: Vec<String>,
    pub use_case: String,
    pub handler: Handler,
    /// The App its Lambda function would have (only the declared clients).
    pub app: Arc<App>,
}

/// A use case's handler and the App it runs with.
pub type Served<H> = (H, Arc<App>);

pub struct Server {
    /// Every client: seeding and the local endpoints.
    pub app: Arc<App>,
    pub routes: Vec<Route>,
    /// Scheduled (and other event) handlers that `POST /__local/events/{use_case}` can fire.
    pub events: HashMap<String, Served<EventHandler>>,
    /// Take the caller's address from `X-Forwarded-For` (tests give each scenario its own).
    pub trust_forwarded_for: bool,
    /// Test support (`--test-support`): honour `x-loket-clock-shift` (the app's clock is
    /// then a `ShiftedClock`) and serve `POST /__local/seed/...`.
    pub test_support: bool,
    /// Faults armed by the tests (`--test-support` only), tripped by the SDK clients.
    pub faults: crate::faults::Faults,
}

fn split(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Server {
    pub fn new(
        app: Arc<App>,
        routes: &[HttpRoute],
        handlers: &HashMap<String, Served<Handler>>,
    ) -> Result<Self, String> {
        let mut out = Vec::new();
        for r in routes {
            let (handler, use_case_app) = handlers.get(&r.use_case).ok_or_else(|| {
                format!(
                    "route {} {} names use case {} that no context provides",
                    r.method, r.path, r.use_case
                )
            })?;
            out.push(Route {
                method: r.method.clone(),
                segments: split(&r.path),
                use_case: r.use_case.clone(),
                handler: *handler,
                app: use_case_app.clone(),
            });
        }
        Ok(Self {
            app,
            routes: out,
            events: HashMap::new(),
            trust_forwarded_for: false,
            test_support: false,
            faults: Default::default(),
        })
    }

    /// The route for a method and path, with its path parameters; `Err(true)` when the
    /// path exists under another method.
    fn find(&self, method: &str, path: &str) -> Result<(&Route, HashMap<String, String>), bool> {
        let segs = split(path);
        let mut path_matched = false;
        for r in &self.routes {
            if r.segments.len() != segs.len() {
                continue;
            }
            let mut params = HashMap::new();
            let ok = r.segments.iter().zip(&segs).all(|(pat, seg)| {
                if let Some(name) = pat.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    params.insert(name.to_string(), seg.clone());
                    true
                } else {
                    pat == seg
                }
            });
            if ok {
                if r.method == method {
                    return Ok((r, params));
                }
                path_matched = true;
            }
        }
        Err(path_matched)
    }

    async fn handle(
        self: Arc<Self>,
        req: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let bytes = match body.collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => Bytes::new(),
        };
        let path = parts.uri.path().to_string();
        let method = parts.method.as_str().to_string();

        if let Some(rest) = path.strip_prefix("/__local/") {
            return self.local_endpoint(&method, rest, &bytes).await;
        }
        let response = match self.find(&method, &path) {
            Err(path_matched) => loket_shared::http::error_response(&if path_matched {
                ApiError::new(
                    405,
                    "method_not_allowed",
                    "Metode tidak diizinkan untuk alamat ini",
                )
            } else {
                ApiError::not_found("route_not_found", "Alamat tidak ditemukan")
            }),
            Ok((route, params)) => {
                // API Gateway → one Lambda invocation per request.
                loket_shared::meter::api_request();
                loket_shared::meter::invocation();
                let source_ip = if self.trust_forwarded_for {
                    parts
                        .headers
                        .get("x-forwarded-for")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(',').next())
                        .map(|v| v.trim().to_string())
                        .unwrap_or_else(|| peer.ip().to_string())
                } else {
                    peer.ip().to_string()
                };
                let query: HashMap<String, Vec<String>> = {
                    let pairs: Vec<(String, String)> =
                        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
                            .unwrap_or_default();
                    let mut m: HashMap<String, Vec<String>> = HashMap::new();
                    for (k, v) in pairs {
                        m.entry(k).or_default().push(v);
                    }
                    m
                };
                let body = if bytes.is_empty() {
                    Body::Empty
                } else {
                    match String::from_utf8(bytes.to_vec()) {
                        Ok(t) => Body::Text(t),
                        Err(e) => Body::Binary(e.into_bytes()),
                    }
                };
                let mut lreq = lambda_http::http::Request::builder()
                    .method(parts.method.clone())
                    .uri(parts.uri.clone());
                for (k, v) in parts.headers.iter() {
                    lreq = lreq.header(k, v);
                }
                let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
                http.method = parts.method.clone();
                http.path = Some(path.clone());
                http.protocol = Some("HTTP/1.1".into());
                http.source_ip = Some(source_ip);
                http.user_agent = parts
                    .headers
                    .get("user-agent")
                    .and_then(|v| v.to_str().ok())
                    .map(String::from);
                let mut ctx = ApiGatewayV2httpRequestContext::default();
                ctx.route_key = Some(format!("{} {}", route.method, parts.uri.path()));
                ctx.request_id = Some(format!("local-{}", rand::random::<u64>()));
                ctx.http = http;
                match lreq.body(body) {
                    Ok(r) => {
                        let r = r
                            .with_path_parameters(params)
                            .with_query_string_parameters(query)
                            .with_request_context(RequestContext::ApiGatewayV2(ctx));
                        let span = loket_shared::lambda::request_span(&route.use_case);
                        let shift = parts
                            .headers
                            .get("x-loket-clock-shift")
                            .filter(|_| self.test_support)
                            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok())
                            .unwrap_or(0);
                        let started = std::time::Instant::now();
                        let handled = (route.handler)(route.app.clone(), r).instrument(span);
                        let response = respond(ShiftedClock::shifted(shift, handled).await);
                        tracing::info!(
                            use_case = %route.use_case,
                            status = response.status().as_u16(),
                            ms = started.elapsed().as_millis() as u64,
                            "served"
                        );
                        response
                    }
                    Err(e) => loket_shared::http::error_response(&ApiError::bad_request(
                        "request_invalid",
                        e.to_string(),
                    )),
                }
            }
        };
        let (p, b) = response.into_parts();
        let bytes = match b {
            Body::Empty => Bytes::new(),
            Body::Text(t) => Bytes::from(t),
            Body::Binary(v) => Bytes::from(v),
            _ => Bytes::new(),
        };
        hyper::Response::from_parts(p, Full::new(bytes))
    }

    async fn local_endpoint(
        &self,
        method: &str,
        rest: &str,
        body: &[u8],
    ) -> hyper::Response<Full<Bytes>> {
        // The event a fired schedule receives, like EventBridge's; a JSON body may set
        // fields (e.g. `time`, the moment the schedule fired).
        let mut event = serde_json::json!({
            "source": "loket.local",
            "detail-type": "Scheduled Event",
            "time": time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        });
        if let Ok(serde_json::Value::Object(extra)) = serde_json::from_slice(body) {
            for (k, v) in extra {
                event[k] = v;
            }
        }
        let json = |status: u16, v: serde_json::Value| {
            hyper::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(v.to_string())))
                .unwrap_or_default()
        };
        match (method, rest.split('/').collect::<Vec<_>>().as_slice()) {
            ("GET", ["health"]) => json(
                200,
                serde_json::json!({ "status": "ok", "table": self.app.store.table() }),
            ),
            // What this process asked of AWS so far (the order benchmark).
            ("GET", ["meter"]) if self.test_support => json(200, loket_shared::meter::totals()),
            ("POST", ["events", name]) => match self.events.get(*name) {
                Some((h, app)) => {
                    loket_shared::meter::invocation();
                    match h(app.clone(), event).await {
                        Ok(v) => json(200, v),
                        Err(e) => json(
                            e.status,
                            serde_json::json!({ "code": e.code, "message": e.message }),
                        ),
                    }
                }
                None => json(404, serde_json::json!({ "code": "event_not_found" })),
            },
            ("POST", ["seed", "registered-vendor"]) if self.test_support => {
                let seeded = match serde_json::from_slice::<crate::seed::RegisteredVendor>(body) {
                    Ok(v) => crate::seed::registered_vendor(&self.app, &v, &self.app.ids.id())
                        .await
                        .map(|products| (v.vendor_id, products)),
                    Err(e) => Err(e.to_string()),
                };
                match seeded {
                    Ok((vendor_id, products)) => json(
                        201,
                        serde_json::json!({ "vendor_id": vendor_id, "products": products }),
                    ),
                    Err(e) => json(
                        400,
                        serde_json::json!({ "code": "seed_invalid", "message": e }),
                    ),
                }
            }
            ("POST", ["faults"]) if self.test_support => {
                match serde_json::from_slice::<crate::faults::Fault>(body)
                    .map_err(|e| e.to_string())
                    .and_then(|f| self.faults.arm(f))
                {
                    Ok(()) => json(201, serde_json::json!({ "armed": self.faults.armed() })),
                    Err(e) => json(
                        400,
                        serde_json::json!({ "code": "fault_invalid", "message": e }),
                    ),
                }
            }
            ("GET", ["faults"]) if self.test_support => {
                json(200, serde_json::json!({ "armed": self.faults.armed() }))
            }
            _ => json(404, serde_json::json!({ "code": "route_not_found" })),
        }
    }

    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let me = self.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    let me = me.clone();
                    async move { Ok::<_, Infallible>(me.handle(req, peer).await) }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, svc)
                    .await;
            });
        }
    }
}

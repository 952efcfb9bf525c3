// Starts Swagger UI on /api/docs/ (drf-spectacular's init script, served as a static file so the
// Content-Security-Policy can forbid inline scripts). The page passes its values as data-*
// attributes of #swagger-ui: schema URL, UI settings, auth scheme names and the CSRF token.
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");
  const data = root.dataset;
  const parse = (text, fallback) => {
    try {
      return text ? JSON.parse(text) : fallback;
    } catch (e) {
      return fallback;
    }
  };
  const swaggerSettings = parse(data.settings, {});
  const oauth2Config = parse(data.oauth2Config, {});
  const schemaAuthNames = parse(data.schemaAuthNames, []);
  let schemaAuthFailed = false;
  let ui;
  const plugins = [];

  const reloadSchema = (ori) => (...args) => {
    schemaAuthFailed = false;
    setTimeout(() => ui.specActions.download());
    return ori(...args);
  };
  if (schemaAuthNames.length > 0) {
    plugins.push(() => ({
      statePlugins: {
        auth: {
          wrapActions: {
            authorizeOauth2: reloadSchema,
            authorize: reloadSchema,
            logout: reloadSchema,
          },
        },
      },
    }));
  }

  const isSchemaUrl = (url) =>
    ui !== undefined && url === new URL(ui.getConfigs().url, document.baseURI).href;

  const responseInterceptor = (response) => {
    if (!response.ok && isSchemaUrl(response.url) && !schemaAuthFailed) {
      // retry once without credentials, as drf-spectacular's own script does
      schemaAuthFailed = true;
      setTimeout(() => ui.specActions.download());
    }
    return response;
  };

  const injectAuthCredentials = (request) => {
    if (ui === undefined) {
      return;
    }
    const state = ui.getState().get("auth").get("authorized");
    if (state === undefined) {
      return;
    }
    const authorized = state.toJS();
    for (const authName of schemaAuthNames) {
      const authDef = authorized[authName];
      if (authDef === undefined || authDef.schema === undefined) {
        continue;
      }
      const schema = authDef.schema;
      if (schema.type === "http" && schema.scheme === "bearer") {
        request.headers.Authorization = "Bearer " + authDef.value;
        return;
      } else if (schema.type === "http" && schema.scheme === "basic") {
        request.headers.Authorization =
          "Basic " + btoa(authDef.value.username + ":" + authDef.value.password);
        return;
      } else if (schema.type === "apiKey" && schema.in === "header") {
        request.headers[schema.name] = authDef.value;
        return;
      }
    }
  };

  const requestInterceptor = (request) => {
    if (request.loadSpec && schemaAuthNames.length > 0 && !schemaAuthFailed) {
      try {
        injectAuthCredentials(request);
      } catch (e) {
        console.error("schema auth injection failed with error: ", e);
      }
    }
    // the session's CSRF token on unsafe same-origin requests ("Try it out")
    if (!["GET", undefined].includes(request.method) && request.credentials === "same-origin") {
      request.headers[data.csrfHeader] = data.csrfToken;
    }
    return request;
  };

  ui = SwaggerUIBundle({
    url: data.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    plugins,
    layout: "BaseLayout",
    requestInterceptor,
    responseInterceptor,
    ...swaggerSettings,
  });
  if (Object.keys(oauth2Config).length > 0) {
    ui.initOAuth(oauth2Config);
  }
})();

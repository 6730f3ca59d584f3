// Starts GraphiQL on the page's #graphiql element, against the endpoint its
// data-endpoint attribute names (same origin: HTTP for queries and
// mutations, a websocket for subscriptions). A file of its own, not an
// inline script, so that the page's CSP allows scripts from 'self' only.
(function () {
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  var ws = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + endpoint;
  var fetcher = GraphiQL.createFetcher({
    url: location.protocol + '//' + location.host + endpoint,
    subscriptionUrl: ws,
  });
  ReactDOM.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      // An Authorization header typed in the editor is not kept in
      // localStorage: it is a person's token.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    }),
    root,
  );
})();

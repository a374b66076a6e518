// The inspector's stylesheet (served as /app.css: the CSP allows no inline style).

export const APP_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
ol { margin: 0; padding-left: 1.4rem; font-family: ui-monospace, monospace; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #8884; vertical-align: top; }
td { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
tr.rejected td { color: #c33; }
tr.repeat td:nth-child(2)::after { content: " (repeat)"; opacity: .7; }
.bad { color: #c33; }
.good { color: #2a2; }
`;

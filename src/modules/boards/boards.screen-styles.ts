/**
 * The wall screen's stylesheet. Every size is in `--u`, one pixel of a 1080-pixel-high screen
 * (100vmin / 1080), so a 1920 × 1080 television, a 1366 × 768 one and a 1280 × 720 one show the
 * same layout at their own scale, and a portrait tablet by the door is sized by its width. Entry
 * text is 36u, stepping down to 32u, then 28u (the floor readable from about 3 metres), then 28u
 * with the answer under the summaries rather than beside them, only for an entry that needs a
 * screen of its own; and if even that is too tall, that one screen lends the entry the room of the
 * figures and the QR code (hidden until the next turn) rather than cut it. With the script (`html.paged`) the page is exactly the
 * viewport and never scrolls; without it, the same content reads as a page that does.
 */
export const screenCss = `
:root{--ink:#111;--muted:#3d3d3d;--paper:#fff;--panel:#f3f3f0;--did:#0b5d2a;--doing:#17457e;--couldnt:#7a3400;--said:#4a2f6b;--focus:#ffbf47;--u:calc(100vmin / 1080)}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;color:var(--ink);background:var(--paper);line-height:1.3;-webkit-text-size-adjust:100%}
body{margin:0;font-size:calc(30 * var(--u))}
html.paged,html.paged body{height:100%;overflow:hidden}
a{color:#0b3d91}
:focus-visible{outline:calc(5 * var(--u)) solid var(--ink);box-shadow:0 0 0 calc(10 * var(--u)) var(--focus)}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
p{margin:0 0 .25em}
h1{font-size:calc(54 * var(--u));line-height:1.1;margin:0}
h2{font-size:calc(30 * var(--u));margin:0 0 calc(10 * var(--u))}
h3{font-size:1em;margin:0}
.screen{display:grid;grid-template-columns:minmax(0,1fr) calc(500 * var(--u));grid-template-rows:auto minmax(0,1fr) auto;grid-template-areas:"head side" "main side" "foot side";gap:calc(20 * var(--u)) calc(40 * var(--u));min-height:100vh;padding:calc(28 * var(--u)) calc(40 * var(--u))}
.paged .screen{height:100vh}
.screen-head{grid-area:head;display:flex;flex-wrap:wrap;align-items:baseline;gap:0 calc(28 * var(--u));border-bottom:calc(4 * var(--u)) solid var(--ink);padding-bottom:calc(10 * var(--u))}
.unit{font-size:calc(44 * var(--u));font-weight:700;margin:0}
.screen-main{grid-area:main;min-height:0;display:flex;flex-direction:column}
.screen-main:focus{outline:none}
.screen-main:focus-visible{outline:calc(5 * var(--u)) solid var(--ink);outline-offset:calc(6 * var(--u));box-shadow:none}
.entries{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:calc(24 * var(--u));flex:1 1 auto;min-height:0}
.paged .entries{overflow:hidden}
.card{flex:none;font-size:calc(36 * var(--u));display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:calc(32 * var(--u));border:calc(3 * var(--u)) solid var(--ink);border-left-width:calc(16 * var(--u));border-radius:calc(10 * var(--u));padding:calc(16 * var(--u)) calc(24 * var(--u));overflow-wrap:anywhere}
.card.fit-1{font-size:calc(32 * var(--u))}
.card.fit-2,.card.fit-3{font-size:calc(28 * var(--u))}
.card.fit-3{grid-template-columns:minmax(0,1fr);gap:calc(12 * var(--u));line-height:1.2;padding-top:calc(10 * var(--u));padding-bottom:calc(10 * var(--u))}
.easy-read .card.fit-3 p:not(.date):not(.more){font-size:1em}
html.roomy .side{visibility:hidden}
html.roomy .screen-main{grid-area:2/1/3/-1}
.fit-3 .said{border-right:0;padding-right:0;border-bottom:calc(2 * var(--u)) dashed #6b6b6b;padding-bottom:calc(10 * var(--u))}
.card>:only-child{grid-column:1/-1}
.card.we_did{border-left-color:var(--did)}
.card.we_are_doing{border-left-color:var(--doing)}
.card.we_couldnt{border-left-color:var(--couldnt)}
.said{border-right:calc(2 * var(--u)) dashed #6b6b6b;padding-right:calc(28 * var(--u))}
.said ul{margin:0;padding-left:1em}
.label{display:flex;align-items:center;gap:.35em;font-size:.85em;font-weight:700;margin-bottom:.15em}
.said .label{color:var(--said)}
.we_did .answer .label{color:var(--did)}
.we_are_doing .answer .label{color:var(--doing)}
.we_couldnt .answer .label{color:var(--couldnt)}
.title{font-weight:700}
.date,.more{color:var(--muted);font-size:.8em}
.date{margin:0}
.pictogram{width:1.5em;height:1.5em;flex:none}
.empty{font-size:calc(36 * var(--u))}
.side{grid-area:side;display:flex;flex-direction:column;gap:calc(24 * var(--u));min-height:0}
.figures{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:calc(12 * var(--u))}
.figures li{font-size:calc(24 * var(--u));background:var(--panel);border:calc(2 * var(--u)) solid #8a8a8a;border-radius:calc(8 * var(--u));padding:calc(8 * var(--u)) calc(14 * var(--u))}
.figures strong{display:block;font-size:calc(50 * var(--u));line-height:1.1}
.fft{font-size:calc(24 * var(--u));font-weight:700;margin:calc(12 * var(--u)) 0 0}
.tell-us{display:grid;grid-template-columns:calc(210 * var(--u)) minmax(0,1fr);gap:calc(20 * var(--u));align-items:center;font-size:calc(24 * var(--u))}
.tell-us h2{font-size:calc(32 * var(--u))}
.qr{display:block;width:calc(210 * var(--u));height:calc(210 * var(--u));border:calc(2 * var(--u)) solid var(--ink)}
.short-address{font-weight:700;overflow-wrap:anywhere}
.status{margin-top:auto;font-size:calc(22 * var(--u));color:var(--muted);min-height:3.9em}
.status.offline{color:var(--couldnt);font-weight:700}
.screen-foot{grid-area:foot;display:flex;justify-content:space-between;align-items:baseline;gap:calc(28 * var(--u));font-size:calc(26 * var(--u));color:var(--muted);border-top:calc(2 * var(--u)) solid #8a8a8a;padding-top:calc(10 * var(--u))}
.screen-foot p{margin:0}
.screen-page{font-weight:700;color:var(--ink);font-size:calc(30 * var(--u))}
.easy-read .card p{font-size:1.05em}
.easy-read .card .date,.easy-read .card .more{font-size:.8em}
@media (orientation:portrait){
html.roomy .screen-main{grid-area:2/1/4/-1}
.screen{grid-template-columns:minmax(0,1fr);grid-template-rows:auto auto minmax(0,1fr) auto;grid-template-areas:"head" "side" "main" "foot"}
.side{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:calc(10 * var(--u)) calc(32 * var(--u))}
.figures{gap:calc(8 * var(--u))}
.figures li{padding:calc(4 * var(--u)) calc(12 * var(--u))}
.figures strong{font-size:calc(40 * var(--u))}
.tell-us{grid-template-columns:calc(180 * var(--u)) minmax(0,1fr)}
.qr{width:calc(180 * var(--u));height:calc(180 * var(--u))}
.status{grid-column:1/-1;min-height:1.3em;margin:0}
.card{grid-template-columns:minmax(0,1fr);gap:calc(14 * var(--u))}
.said{border-right:0;padding-right:0;border-bottom:calc(2 * var(--u)) dashed #6b6b6b;padding-bottom:calc(12 * var(--u))}
}
@media (prefers-reduced-motion:no-preference){.paged .card{animation:screen-in .6s ease-out}}
@keyframes screen-in{from{opacity:0}to{opacity:1}}
`
  .trim()
  .replace(/\n/g, '');

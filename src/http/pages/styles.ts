/**
 * One stylesheet for the wall board, the Easy Read board, the tracking page, the public form and the
 * 404 page, with one set of form rules (the GOV.UK pattern: fieldsets, hints, large choices, an error
 * summary linked to each field) shared by the tracking page's follow-up form and the public form.
 * Readable from a few metres (large type that grows with the screen), dark text on light
 * backgrounds (AAA contrast for body text), one column that reflows down to 320 CSS pixels
 * (400% zoom), no motion unless the person allows it, and an A4 poster when printed.
 */
export const pageCss = `
:root{--ink:#111;--muted:#3d3d3d;--paper:#fff;--panel:#f3f3f0;--did:#0b5d2a;--doing:#17457e;--couldnt:#7a3400;--said:#4a2f6b;--focus:#ffbf47}
*{box-sizing:border-box}
html{font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;color:var(--ink);background:var(--paper);line-height:1.45;-webkit-text-size-adjust:100%}
body{margin:0;font-size:clamp(1.125rem,0.9rem + 1.1vw,2.25rem)}
a{color:#0b3d91;text-decoration-thickness:.1em;text-underline-offset:.15em}
a:focus-visible,input:focus-visible,button:focus-visible,textarea:focus-visible,select:focus-visible{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.jump-link{position:absolute;left:-9999px}
.jump-link:focus{position:static;display:inline-block;padding:.5em;background:var(--focus);color:var(--ink)}
header,main,footer{max-width:120rem;margin:0 auto;padding:0 clamp(.75rem,2.5vw,3rem)}
header{padding-top:clamp(.75rem,2vw,2rem);border-bottom:.2rem solid var(--ink)}
h1{font-size:1.9em;line-height:1.15;margin:0 0 .2em}
h2{font-size:1.3em;margin:1em 0 .4em}
h3{font-size:1em;margin:0 0 .2em}
p{margin:0 0 .6em;max-width:70ch}
.unit{font-size:1.25em;font-weight:700;margin:0 0 .3em}
.intro{color:var(--muted)}
.figures{display:flex;flex-wrap:wrap;gap:.6em;list-style:none;margin:0;padding:0}
.figures li{flex:1 1 10em;background:var(--panel);border:.1rem solid #8a8a8a;border-radius:.4em;padding:.4em .7em}
.figures strong{display:block;font-size:1.6em;line-height:1.1}
.fft{font-size:1.15em;font-weight:700;margin:.6em 0 0}
.entries{list-style:none;margin:0;padding:0;display:grid;gap:clamp(.75rem,1.5vw,1.5rem);grid-template-columns:repeat(auto-fill,minmax(min(100%,26em),1fr))}
.card{border:.15rem solid var(--ink);border-left-width:.8rem;border-radius:.4em;padding:.7em .9em;background:var(--paper);break-inside:avoid;overflow-wrap:anywhere}
.card.we_did{border-left-color:var(--did)}
.card.we_are_doing{border-left-color:var(--doing)}
.card.we_couldnt{border-left-color:var(--couldnt)}
.said{border-bottom:.1rem dashed #6b6b6b;padding-bottom:.5em;margin-bottom:.5em}
.said ul{margin:0;padding-left:1.1em}
.label{display:flex;align-items:center;gap:.4em;font-weight:700}
.said .label{color:var(--said)}
.we_did .answer .label{color:var(--did)}
.we_are_doing .answer .label{color:var(--doing)}
.we_couldnt .answer .label{color:var(--couldnt)}
.title{font-weight:700}
.date{color:var(--muted);font-size:.85em;margin:0}
.pictogram{width:2.4em;height:2.4em;flex:none}
.empty{font-size:1.1em}
.easy-read .card p{font-size:1.1em}
.easy-read .label{font-size:1.15em}
footer{padding-top:1em;padding-bottom:1.5em;color:var(--muted)}
.status{font-size:.85em}
.status.offline{color:var(--couldnt);font-weight:700}
form{margin:1em 0}
label{display:block;font-weight:700;margin-bottom:.3em}
textarea,select,input[type=email],input[type=tel],input[type=text]{display:block;font:inherit;width:100%;max-width:40em;padding:.3em .5em;border:.15rem solid var(--ink);border-radius:.2em}
input.short{font-size:1.1em;width:12em;max-width:100%;letter-spacing:.1em}
input[type=file]{font:inherit;max-width:100%}
button{font:inherit;font-weight:700;padding:.35em 1em;margin-top:.5em;border:.15rem solid var(--ink);border-radius:.2em;background:var(--did);color:#fff;cursor:pointer}
.panel{background:var(--panel);border:.1rem solid #8a8a8a;border-radius:.4em;padding:.7em 1em;margin:.8em 0}
fieldset{border:0;margin:0 0 1.2em;padding:0;min-width:0}
legend{font-weight:700;font-size:1.15em;margin-bottom:.3em;padding:0}
.hint{color:var(--muted);margin:0 0 .4em}
.field{margin:0 0 1.2em}
.choice{display:flex;align-items:center;gap:.6em;margin:.4em 0}
.choice input{font:inherit;width:1.5em;height:1.5em;margin:0;flex:none;accent-color:var(--did)}
.choice label{display:inline;font-weight:400;margin:0}
.error-summary{border:.3rem solid #b10e1e;padding:.7em 1em;margin:1em 0;background:#fff}
.error-summary:focus{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.error-summary h2,.error-summary h3{color:#b10e1e;margin-top:0}
.error-message{color:#b10e1e;font-weight:700;margin:0 0 .3em}
.field-error{border-left:.3rem solid #b10e1e;padding-left:.7em}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.tell-us{display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1em;margin:.6em 0 1em}
.tell-us h2{margin-top:0}
.qr{width:8em;height:8em;flex:none;border:.1rem solid var(--ink)}
.short-address{font-weight:700;overflow-wrap:anywhere}
@media (prefers-reduced-motion:no-preference){.card{transition:background-color .4s ease}}
@media print{
@page{size:A4 portrait;margin:12mm}
html,body{background:#fff;color:#000;font-size:11pt}
.status,.jump-link,.switch,script,template{display:none!important}
header,main,footer{max-width:none;padding:0}
.entries{display:block}
.card{margin:0 0 4mm;border-color:#000;page-break-inside:avoid}
.figures li{background:#fff}
a{color:#000;text-decoration:none}
.qr{width:45mm;height:45mm}
}
`
  .trim()
  .replace(/\n/g, '');

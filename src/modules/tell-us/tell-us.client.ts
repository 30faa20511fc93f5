/**
 * The form's own script, served from /tell-us/assets/tell-us.js: it lets the ALTCHA widget solve its
 * proof-of-work in a worker served by this service (the widget's external build brings none), on a
 * ward tablet (`data-kiosk`) returns to a fresh form after two minutes without a touch, and, where
 * the browser can (MediaRecorder), offers to record a voice note into the file input, marking it
 * `recorded=voice` (a browser records voice in WebM, which the bytes alone call video). The form
 * works without it.
 */
export const tellUsClientScript = `
const altcha = globalThis.$altcha;
if (altcha && altcha.algorithms) {
  altcha.algorithms.set('PBKDF2/SHA-256', () => new Worker('/tell-us/assets/altcha-pbkdf2.js'));
}
const body = document.body;
if (body.dataset.kiosk === '1') {
  const start = body.dataset.startUrl;
  let timer;
  const restart = () => { clearTimeout(timer); timer = setTimeout(() => { location.replace(start); }, 120000); };
  for (const type of ['pointerdown', 'keydown', 'input', 'scroll']) document.addEventListener(type, restart, { passive: true });
  restart();
}
const fileInput = document.getElementById('attachment');
if (fileInput && globalThis.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && globalThis.DataTransfer) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.id = 'record-voice';
  button.textContent = 'Record a voice note';
  const status = document.createElement('p');
  status.className = 'hint';
  status.id = 'record-status';
  status.setAttribute('role', 'status');
  const recorded = document.createElement('input');
  recorded.type = 'hidden';
  recorded.name = 'recorded';
  fileInput.after(button, status, recorded);
  fileInput.addEventListener('change', () => { recorded.value = ''; });
  let recorder;
  button.addEventListener('click', async () => {
    if (recorder && recorder.state === 'recording') { recorder.stop(); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      status.textContent = 'The microphone is not available. You can choose a recording instead.';
      return;
    }
    const chunks = [];
    const started = Date.now();
    recorder = new MediaRecorder(stream);
    recorder.addEventListener('dataavailable', (event) => { if (event.data.size > 0) chunks.push(event.data); });
    recorder.addEventListener('stop', () => {
      for (const track of stream.getTracks()) track.stop();
      const type = (recorder.mimeType || 'audio/webm').split(';')[0];
      const extension = type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm';
      const files = new DataTransfer();
      files.items.add(new File(chunks, 'voice-note.' + extension, { type }));
      fileInput.files = files.files;
      recorded.value = 'voice';
      button.textContent = 'Record again';
      const seconds = Math.max(1, Math.round((Date.now() - started) / 1000));
      status.textContent = 'Voice note recorded (' + seconds + ' seconds). Press Send to send it.';
    });
    recorder.start();
    button.textContent = 'Stop recording';
    status.textContent = 'Recording. Press Stop recording when you have finished.';
  });
}
`.trim();

import { html } from '../../http/pages/html.js';
import type { InviteRefusal } from '../review-invites/review-invites.service.js';
import { panelPage } from './panel.shell.js';

/** What an invite link opens: a Start button, so only a person's press (a POST) spends the link. */
export function renderInvitePage(options: { path: string; csrf: string; easyRead: boolean }) {
  const { easyRead } = options;
  return panelPage(
    easyRead ? 'Welcome' : 'Start reviewing feedback',
    { easyRead },
    html`<h1>${easyRead ? 'Welcome to the panel' : 'Welcome to the lived experience panel'}</h1>
${
  easyRead
    ? html`<p>You can read what people told the ward.</p>
<p>You will not see their names.</p>
<p>You can tell the ward what you think they should change.</p>
<p>This link works one time. Press Start now.</p>`
    : html`<p>You can read a summary of feedback people have given the ward, see what the ward did about it, and make recommendations for the ward to answer.</p>
<p>You will not see anyone’s name, contact details or own words: staff write a short summary of each piece of feedback, without names.</p>
<p>This link works once. When you press Start, you are signed in on this device until you sign out or leave it unused for a while.</p>`
}
<form method="post" action="${easyRead ? `${options.path}?easyRead=1` : options.path}">
<input type="hidden" name="_csrf" value="${options.csrf}">
<button type="submit" class="big">Start</button>
</form>
<p><a href="${easyRead ? options.path : `${options.path}?easyRead=1`}">${easyRead ? 'Standard page' : 'Easy Read version of this page'}</a></p>`,
  );
}

const refusalWords: Record<InviteRefusal, { standard: string; easy: string }> = {
  unknown: {
    standard: 'This link is not one we know. Check you copied all of it.',
    easy: 'This link does not work. Check you copied all of it.',
  },
  used: {
    standard: 'This link has already been used. Each link works once, so no one else can use it to sign in as you.',
    easy: 'This link has been used already. A link works one time only.',
  },
  expired: {
    standard: 'This link has run out: links work for a few days only.',
    easy: 'This link is too old now.',
  },
  revoked: {
    standard: 'This link has been stopped by the ward team.',
    easy: 'The ward team stopped this link.',
  },
};

/** Why a link signs no one in, and what to do: ask the ward team for a new one. */
export function renderInviteRefusedPage(reason: InviteRefusal, easyRead: boolean) {
  const words = refusalWords[reason];
  return panelPage(
    easyRead ? 'This link does not work' : 'This link cannot be used',
    { easyRead },
    html`<h1>${easyRead ? 'This link does not work' : 'This link cannot be used'}</h1>
<p>${easyRead ? words.easy : words.standard}</p>
<p>${easyRead ? 'Ask the ward team for a new link.' : 'Ask the ward team or your panel contact for a new link.'}</p>`,
  );
}

/** A panel page asked for without a live session: signed out, idle too long, or stopped by an admin. */
export function renderSignedOutPage(easyRead: boolean, justSignedOut = false) {
  return panelPage(
    justSignedOut ? 'You have signed out' : 'You are not signed in',
    { easyRead },
    html`<h1>${justSignedOut ? 'You have signed out' : 'You are not signed in'}</h1>
${
  justSignedOut
    ? html`<p>${easyRead ? 'Thank you for your help.' : 'Thank you for your time on the panel.'}</p>`
    : html`<p>${
        easyRead
          ? 'You may have signed out, or not used the pages for a while.'
          : 'You may have signed out, left the pages unused for a while, or the ward team may have ended your session.'
      }</p>`
}
<p>${easyRead ? 'To come back, ask the ward team for a new link.' : 'To sign in again, ask the ward team for a new link.'}</p>`,
  );
}

/** A form sent without its token (or with an old one): nothing was done. */
export function renderFormExpiredPage(easyRead: boolean) {
  return panelPage(
    easyRead ? 'Please try again' : 'This form has expired',
    { easyRead },
    html`<h1>${easyRead ? 'Please try again' : 'This form has expired'}</h1>
<p>${
      easyRead
        ? 'We could not check this form came from these pages. Nothing has been saved.'
        : 'We could not confirm that this form was sent from these pages, so nothing was saved. This can happen when a page has been open a long time.'
    }</p>
<p><a href="/review">${easyRead ? 'Go back to the start' : 'Go back to the panel pages'}</a> ${easyRead ? 'and try again.' : 'and try again.'}</p>`,
  );
}

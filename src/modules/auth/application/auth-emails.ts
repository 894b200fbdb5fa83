import type { EmailMessage } from '../../../core/infrastructure/email/email';
import { escapeHtml } from '../../../core/utils/html';

function message(to: string, subject: string, lines: string[], link?: { url: string; label: string }): EmailMessage {
  const text = [...lines, ...(link ? ['', `${link.label}: ${link.url}`] : [])].join('\n');
  const html = [
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`] : []),
  ].join('\n');
  return { to, subject, text, html };
}

export const authEmails = {
  verify: (to: string, name: string, url: string) =>
    message(
      to,
      'Confirm your email address',
      [`Hello ${name},`, 'Confirm your email address to finish setting up your account. The link works for 24 hours.'],
      { url, label: 'Confirm email address' },
    ),
  reset: (to: string, name: string, url: string) =>
    message(
      to,
      'Reset your password',
      [
        `Hello ${name},`,
        'Someone asked to reset your password. The link works for one hour. If it was not you, ignore this email.',
      ],
      { url, label: 'Reset password' },
    ),
  changeEmail: (to: string, name: string, url: string) =>
    message(
      to,
      'Confirm your new email address',
      [`Hello ${name},`, 'Confirm this address to make it the one you sign in with. The link works for 24 hours.'],
      { url, label: 'Confirm new email address' },
    ),
  emailChanged: (to: string, name: string, newEmail: string) =>
    message(to, 'Your email address was changed', [
      `Hello ${name},`,
      `You now sign in with ${newEmail}. If this was not you, contact support at once.`,
    ]),
  passwordChanged: (to: string, name: string) =>
    message(to, 'Your password was changed', [
      `Hello ${name},`,
      'Your password was just changed and every session was signed out. If this was not you, reset your password now.',
    ]),
};

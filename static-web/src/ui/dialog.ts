import { h } from './dom';
import { showError } from './notice';
import { t } from '../i18n';

function openDialog(dialog: HTMLDialogElement): void {
  document.body.appendChild(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
}

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
  /** Runs on confirm; an error keeps the dialog open and shows the error in it. */
  action: () => Promise<void>;
}

/** A confirmation ("削除する") that runs its action and resolves true once it succeeded. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const errors = h('div', { class: 'form-errors' });
    const confirm = h('button', { type: 'submit', class: options.danger ? 'danger' : 'primary' }, options.confirmLabel ?? t('app.deleteConfirm'));
    const dialog = h('dialog', { class: 'dialog', 'aria-label': options.title });
    const form = h('form', { method: 'dialog' },
      h('h2', {}, options.title),
      h('p', { class: 'dialog-message' }, options.message),
      errors,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('app.cancel')),
        confirm));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      try {
        await options.action();
        done = true;
        dialog.close();
      } catch (error) {
        showError(errors, error);
      } finally {
        confirm.disabled = false;
      }
    });
    dialog.appendChild(form);
    dialog.addEventListener('close', () => resolve(done));
    openDialog(dialog);
  });
}

export interface Field {
  name: string;
  label: string;
  kind?: 'text' | 'email' | 'textarea' | 'select';
  value?: string;
  required?: boolean;
  maxLength?: number;
  hint?: string;
  options?: { value: string; label: string }[];
}

export interface FormOptions {
  title: string;
  fields: Field[];
  submitLabel: string;
  /** Runs with the trimmed values; an error keeps the dialog open and shows the error in it. */
  submit: (values: Record<string, string>) => Promise<void>;
}

/** A small form in a modal dialog; resolves true once `submit` succeeded. */
export function formDialog(options: FormOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const errors = h('div', { class: 'form-errors' });
    const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
    const dialog = h('dialog', { class: 'dialog', 'aria-label': options.title });
    const submit = h('button', { type: 'submit', class: 'primary' }, options.submitLabel);
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', {}, options.title),
      options.fields.map((field) => {
        const input = fieldInput(field);
        inputs.set(field.name, input);
        return h('label', { class: 'field' },
          h('span', { class: 'field-label' }, field.label),
          input,
          field.hint ? h('span', { class: 'field-hint' }, field.hint) : null);
      }),
      errors,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('app.cancel')),
        submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values: Record<string, string> = {};
      for (const field of options.fields) {
        const value = inputs.get(field.name)!.value.trim();
        const problem = checkField(field, value);
        if (problem) {
          errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, problem));
          inputs.get(field.name)!.focus();
          return;
        }
        values[field.name] = value;
      }
      submit.disabled = true;
      try {
        await options.submit(values);
        done = true;
        dialog.close();
      } catch (error) {
        showError(errors, error);
      } finally {
        submit.disabled = false;
      }
    });
    dialog.appendChild(form);
    dialog.addEventListener('close', () => resolve(done));
    openDialog(dialog);
    inputs.get(options.fields[0]?.name ?? '')?.focus();
  });
}

function fieldInput(field: Field): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
  switch (field.kind) {
    case 'textarea':
      return h('textarea', { name: field.name, rows: 3, maxlength: field.maxLength, value: field.value ?? '' });
    case 'select':
      return h('select', { name: field.name },
        (field.options ?? []).map((o) => h('option', { value: o.value, selected: o.value === field.value }, o.label)));
    default:
      return h('input', { name: field.name, type: field.kind ?? 'text', maxlength: field.maxLength, value: field.value ?? '', autocomplete: 'off' });
  }
}

/** The localized reason a value is not acceptable, or null. */
export function checkField(field: Pick<Field, 'label' | 'required' | 'maxLength'>, value: string): string | null {
  if (field.required && value.length === 0) return t('form.required', { field: field.label });
  if (field.maxLength && value.length > field.maxLength) return t('form.tooLong', { field: field.label, max: field.maxLength });
  return null;
}

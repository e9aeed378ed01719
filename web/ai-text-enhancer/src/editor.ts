/** Reads and writes the host page's editor: a textarea, a text input or a contenteditable element. */
export type Editor = HTMLTextAreaElement | HTMLInputElement | HTMLElement;

export function findEditor(from: Node, id: string | null): Editor | null {
  if (!id) return null;
  const root = from.getRootNode() as Document | ShadowRoot;
  return (root.getElementById?.(id) as Editor | null) ?? from.ownerDocument?.getElementById(id) ?? null;
}

function isField(editor: Editor): editor is HTMLTextAreaElement | HTMLInputElement {
  return editor instanceof HTMLTextAreaElement || editor instanceof HTMLInputElement;
}

export function readEditor(editor: Editor): string {
  return isField(editor) ? editor.value : (editor.innerText ?? editor.textContent ?? '');
}

/**
 * Replaces the editor's text and fires `input` then `change`, as a user edit would. The value goes through the
 * prototype's setter because frameworks such as React wrap the instance's `value` property to track their own writes
 * and would otherwise ignore the event.
 */
export function writeEditor(editor: Editor, text: string): void {
  if (isField(editor)) {
    const prototype = Object.getPrototypeOf(editor) as object;
    const setter = Object.getOwnPropertyDescriptor(prototype, 'value')?.set;
    if (setter) setter.call(editor, text);
    else editor.value = text;
  } else {
    editor.textContent = text;
  }
  editor.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText', data: text }));
  editor.dispatchEvent(new Event('change', { bubbles: true }));
}

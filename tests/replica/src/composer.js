// The message composer: a real Lexical editor (npm `lexical` + `@lexical/plain-text`), as on the real
// site since 2023-08 (E). Lexical's own state decides what gets sent: writing textContent into the
// contenteditable is reverted by Lexical and never produces a message.
import {
  createEditor, $getRoot, $createParagraphNode, KEY_ENTER_COMMAND, COMMAND_PRIORITY_HIGH,
} from 'lexical';
import { registerPlainText } from '@lexical/plain-text';
import { h, tid } from './dom.js';
import { t } from './i18n.js';

const THEME = {
  paragraph: 'selectable-text copyable-text', // E
  text: { base: 'selectable-text copyable-text' }, // E
};

// A Lexical plain-text editor mounted on `root`; onChange(text) after every update.
export function mountLexical(root, { namespace, onChange, onEnter }) {
  const editor = createEditor({ namespace, theme: THEME, onError: (e) => console.error(e) });
  editor.setRootElement(root);
  const unregister = [registerPlainText(editor)];
  // An empty document is one empty paragraph (<p><br></p>), as in the real composer (E).
  const reset = () => editor.update(() => { $getRoot().clear().append($createParagraphNode()); }, { discrete: true });
  reset();
  if (onEnter) {
    unregister.push(editor.registerCommand(KEY_ENTER_COMMAND, (event) => {
      if (event && event.shiftKey) return false;
      if (event) event.preventDefault();
      onEnter();
      return true;
    }, COMMAND_PRIORITY_HIGH));
  }
  unregister.push(editor.registerUpdateListener(({ editorState }) => {
    onChange(editorState.read(() => $getRoot().getTextContent()));
  }));
  return {
    editor,
    text: () => editor.getEditorState().read(() => $getRoot().getTextContent()),
    clear: () => {
      reset();
      if (document.activeElement === root) editor.update(() => { $getRoot().selectStart(); }, { discrete: true });
    },
    destroy: () => { unregister.forEach((u) => u()); editor.setRootElement(null); },
  };
}

export class Composer {
  constructor(ui, chat, titleText) {
    this.ui = ui;
    this.chat = chat;
    const { gen, lang } = ui;
    const s = t(lang);
    const label = gen === '2026' ? s.typeMessageTo(titleText, chat.kind === 'group') : s.typeMessage; // E (2026 names the chat)
    this.input = h('div', {
      contenteditable: 'true', role: 'textbox', 'data-lexical-editor': 'true', 'data-tab': '10', tabindex: '10',
      'aria-label': label, 'aria-placeholder': s.typeMessage, 'aria-owns': 'emoji-suggestion',
      'aria-autocomplete': 'list', spellcheck: 'false', 'aria-multiline': 'true',
      'data-testid': tid(gen, 'conversation-compose-box-input'), class: 'composer-input',
    });
    this.placeholder = h('div', { class: 'placeholder', 'aria-hidden': 'true' }, s.typeMessage);
    this.actionSlot = h('div', { class: 'action-slot' });
    this.el = h('footer', { 'data-testid': tid(gen, 'compose-box'), class: 'composer' },
      h('div', { class: 'copyable-area' },
        h('button', { 'data-tab': '10', 'aria-label': s.attach, class: 'attach', type: 'button' }, h('span', { 'data-icon': 'plus-rounded' })),
        h('div', { class: 'lexical-rich-text-input' }, this.input, this.placeholder),
        this.actionSlot));
    this.hasText = null;
    this.lex = mountLexical(this.input, {
      namespace: 'composer',
      onChange: (text) => this.updateAction(text),
      onEnter: () => this.send(),
    });
    this.updateAction('');
  }

  // Mic when empty, Send only once there is text (E for 2026; kept for all generations).
  updateAction(text) {
    const has = text.trim().length > 0;
    this.placeholder.style.display = text.length ? 'none' : '';
    if (has === this.hasText) return;
    this.hasText = has;
    const { gen, lang } = this.ui;
    const s = t(lang);
    let btn;
    if (!has) {
      btn = h('button', { 'data-tab': '11', 'aria-label': s.voice, type: 'button', class: 'mic' }, h('span', { 'data-icon': 'mic-outlined' }));
    } else if (gen === '2024') {
      btn = h('button', { 'aria-label': s.send, 'data-tab': '11', type: 'button', class: 'send' }, h('span', { 'data-icon': 'send' }));
    } else {
      btn = h('div', { role: 'button', tabindex: '0', 'aria-label': s.send, 'data-tab': '11', class: 'send' },
        h('span', { 'data-icon': 'wds-ic-send-filled' }));
    }
    if (has) btn.addEventListener('click', () => this.send());
    this.actionSlot.replaceChildren(btn);
  }

  send() {
    const text = this.lex.text();
    if (!text.trim()) return;
    this.lex.clear();
    this.ui.sendText(this.chat.id, text);
  }

  destroy() { this.lex.destroy(); }
}

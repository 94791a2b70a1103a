import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

/**
 * react-admin puts the row checkbox's aria-label on MUI's wrapper span, which MUI 9 does not pass to the
 * <input>: the input has no name for a screen reader and the span carries a prohibited attribute. Move it.
 */
function labelRowCheckboxes(root: HTMLElement) {
  const fix = () => {
    for (const span of root.querySelectorAll<HTMLElement>('.select-item[aria-label]')) {
      const input = span.querySelector('input');
      if (input && !input.getAttribute('aria-label')) input.setAttribute('aria-label', span.getAttribute('aria-label')!);
      span.removeAttribute('aria-label');
    }
  };
  new MutationObserver(fix).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
}

const root = document.getElementById('root')!;
labelRowCheckboxes(root);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

/** A link to a view of the dashboard: a real `href` (open in a new tab works), shown without a reload. */
import type { ComponentChildren } from 'preact';
import { hrefOf, navigate, type Route } from '../route.js';

export interface LinkProps {
  to: Route;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
}

export function Link({ to, children, class: className, current }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    // Modified clicks (new tab, new window) are the browser's to handle.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={hrefOf(to)} onClick={onClick} class={className} aria-current={current === true ? 'page' : undefined}>
      {children}
    </a>
  );
}

import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { sectionFromHash } from './sections.ts';
import { ErrorText } from './ui/error-text.tsx';

describe('sectionFromHash', () => {
  it('reads the section from the hash and falls back to packages', () => {
    expect(sectionFromHash('#/hosts')).toBe('hosts');
    expect(sectionFromHash('#/editor?x=1')).toBe('editor');
    expect(sectionFromHash('#/nope')).toBe('packages');
    expect(sectionFromHash('')).toBe('packages');
  });
});

describe('ErrorText', () => {
  it('shows the message word for word with its code and issues', () => {
    render(<ErrorText failure={{ code: 'INVALID_INPUT', message: 'range is not valid', issues: [{ path: 'range', message: 'not a semver range' }] }} />);
    expect(screen.getByRole('alert').textContent).toContain('range is not valid');
    expect(screen.getByRole('alert').textContent).toContain('range: not a semver range');
  });
});

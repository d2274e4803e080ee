import type { Site } from '../domain/site';
import { Entity } from './entity';

export const sites = new Entity<Site>('site', 'SITE');
export const siteRef = (id: string) => ({ kind: 'SITE', id, label: 'site' });

/** Site records (pk SITE#<id>, sk SITE) and the reference other records hold to a site. */
import type { Site } from '../domain/site';
import { Entity } from './entity';

export const sites = new Entity<Site>('site', 'SITE');
export const siteRef = (id: string) => ({ kind: 'SITE', id, label: 'site' });

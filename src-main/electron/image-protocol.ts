import { protocol } from 'electron';
import { parseImageUrl } from '../core/api/guards';
import { safeImageMime, type StudioService } from '../core/api/service';
import { IMAGE_SCHEME } from '../core/api/types';

/** Must run before `app.ready`: lets pages load and fetch images from dreamprm-image://<id>. */
export function registerImageScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves images by id from the database; the page never names a file. */
export function handleImageScheme(studio: StudioService): void {
  protocol.handle(IMAGE_SCHEME, (request) => {
    const parsed = parseImageUrl(request.url, IMAGE_SCHEME);
    if (!parsed) return new Response('bad image id', { status: 400 });
    const image = studio.image(parsed.id, parsed.thumb);
    if (!image) return new Response('no such image', { status: 404 });
    return new Response(Buffer.from(image.bytes), {
      headers: { 'content-type': safeImageMime(image.mime), 'x-content-type-options': 'nosniff' },
    });
  });
}

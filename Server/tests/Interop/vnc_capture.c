/*
 * A tiny libvncclient client for the interop tests: connects, sets a pixel format and an encoding list, waits for
 * the first framebuffer update that carried pixels, and writes the framebuffer exactly as libvncclient holds it
 * (the client's pixel format, packed rows) to a file.
 *
 * usage: vnc_capture HOST PORT BPP(32|16|8) BIGENDIAN(0|1) ENCODINGS OUTPUT [PASSWORD]
 * exit: 0 ok, 2 bad arguments, 3 connection/authentication failed, 4 timeout, 5 protocol error
 */
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pixel_rects;
static int finished_with_pixels;
static const char *password;

static void got_update(rfbClient *client, int x, int y, int w, int h)
{
    (void)client; (void)x; (void)y; (void)w; (void)h;
    pixel_rects++;
}

static void finished_update(rfbClient *client)
{
    (void)client;
    if (pixel_rects > 0)
        finished_with_pixels = 1;
}

static char *get_password(rfbClient *client)
{
    (void)client;
    return strdup(password ? password : "");
}

int main(int argc, char **argv)
{
    if (argc < 7)
        return 2;
    int bpp = atoi(argv[3]);
    rfbClient *client = rfbGetClient(8, 3, bpp / 8);
    if (bpp == 16) {
        client->format.depth = 16;
        client->format.redMax = 31; client->format.greenMax = 63; client->format.blueMax = 31;
        client->format.redShift = 11; client->format.greenShift = 5; client->format.blueShift = 0;
    } else if (bpp == 8) {
        client->format.depth = 8;
        client->format.redMax = 7; client->format.greenMax = 7; client->format.blueMax = 3;
        client->format.redShift = 0; client->format.greenShift = 3; client->format.blueShift = 6;
    } else if (atoi(argv[4])) {
        /* What libvncclient itself uses on a big-endian host; its ZRLE decoder mishandles big-endian formats whose
           colour sits in the low three bytes (shifts 0/8/16). */
        client->format.depth = 24;
        client->format.redMax = 255; client->format.greenMax = 255; client->format.blueMax = 255;
        client->format.redShift = 24; client->format.greenShift = 16; client->format.blueShift = 8;
    } else {
        client->format.depth = 24;
        client->format.redMax = 255; client->format.greenMax = 255; client->format.blueMax = 255;
        client->format.redShift = 0; client->format.greenShift = 8; client->format.blueShift = 16;
    }
    client->format.bigEndian = atoi(argv[4]) ? TRUE : FALSE;
    client->appData.encodingsString = argv[5];
    client->appData.enableJPEG = FALSE;
    /* libvncclient reports a desktop-size rectangle through GotFrameBufferUpdate; without it, every reported
       rectangle carries pixels. */
    client->canHandleNewFBSize = FALSE;
    client->GotFrameBufferUpdate = got_update;
    client->FinishedFrameBufferUpdate = finished_update;
    client->GetPassword = get_password;
    client->serverHost = strdup(argv[1]);
    client->serverPort = atoi(argv[2]);
    password = argc > 7 ? argv[7] : NULL;
    if (!rfbInitClient(client, NULL, NULL))
        return 3;
    while (!finished_with_pixels) {
        int n = WaitForMessage(client, 30 * 1000 * 1000);
        if (n < 0)
            return 5;
        if (n == 0)
            return 4;
        if (!HandleRFBServerMessage(client))
            return 5;
    }
    /* Some pseudo-rectangles (QEMU's extended-key acknowledgement) are reported like pixel rectangles, so keep
       reading until the server has been quiet for a second: the test server holds its frame. */
    for (;;) {
        int n = WaitForMessage(client, 1000 * 1000);
        if (n < 0)
            return 5;
        if (n == 0)
            break;
        if (!HandleRFBServerMessage(client))
            return 5;
    }
    FILE *out = fopen(argv[6], "wb");
    if (!out)
        return 2;
    size_t size = (size_t)client->width * client->height * (client->format.bitsPerPixel / 8);
    fwrite(client->frameBuffer, 1, size, out);
    fclose(out);
    printf("%dx%d %d bpp, %d pixel rectangles\n", client->width, client->height, client->format.bitsPerPixel, pixel_rects);
    rfbClientCleanup(client);
    return 0;
}
